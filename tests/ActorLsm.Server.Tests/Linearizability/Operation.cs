namespace ActorLsm.Server.Tests.Linearizability;

/// <summary>What a recorded client operation did to its key's register.</summary>
public enum OperationKind
{
    /// <summary>Write <see cref="Operation.Value"/> to the key; a null value deletes it (the register becomes absent).</summary>
    Put,

    /// <summary>Read the key; <see cref="Operation.Output"/> is the value seen, null when the key was absent.</summary>
    Get,
}

/// <summary>How a recorded operation ended, as the client saw it.</summary>
public enum OperationOutcome
{
    /// <summary>The server answered with success; for a Get, <see cref="Operation.Output"/> is the value read.</summary>
    Ok,

    /// <summary>Definitely not applied (e.g. INVALID_ARGUMENT): the checker drops the operation.</summary>
    Failed,

    /// <summary>
    /// Unknown (TIMEOUT, UNAVAILABLE, NOT_ENOUGH_REPLICAS, a dropped connection): a Put may or may not have taken
    /// effect and is treated as returning at infinity (Porcupine's convention); a Get is dropped.
    /// </summary>
    Indeterminate,
}

/// <summary>
/// One client operation on a single-key register, as recorded by <see cref="HistoryRecorder"/> or built by a test.
/// Times are <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> ticks (any monotonic scale works, as long
/// as one history uses one scale); the operation took effect, if at all, at one instant between
/// <see cref="InvokeTicks"/> and <see cref="ReturnTicks"/> (Herlihy and Wing, "Linearizability", 1990).
/// </summary>
/// <param name="Id">Identifier unique within the history (the recorder numbers operations from 0).</param>
/// <param name="ClientId">The client (a sequential process) that issued the operation.</param>
/// <param name="Kind">Put or Get.</param>
/// <param name="Key">The register the operation acts on; operations on different keys are checked independently.</param>
/// <param name="Value">For Put, the value written (null deletes); ignored for Get.</param>
/// <param name="Output">For an Ok Get, the value read (null = absent); ignored otherwise.</param>
/// <param name="InvokeTicks">Time at or before the request was sent.</param>
/// <param name="ReturnTicks">Time at or after the response arrived; ignored unless <paramref name="Outcome"/> is Ok.</param>
/// <param name="Outcome">How the operation ended.</param>
public sealed record Operation(
    long Id,
    int ClientId,
    OperationKind Kind,
    string Key,
    string? Value,
    string? Output,
    long InvokeTicks,
    long ReturnTicks,
    OperationOutcome Outcome)
{
    /// <summary>A short description for failure messages: id, client, call, result, interval and outcome.</summary>
    public override string ToString()
    {
        string call = Kind == OperationKind.Put
            ? $"Put({Key}, {Show(Value)})"
            : $"Get({Key}) -> {(Outcome == OperationOutcome.Ok ? Show(Output) : "?")}";
        string end = Outcome == OperationOutcome.Ok ? ReturnTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) : "inf";
        return $"#{Id} client {ClientId} {call} [{InvokeTicks}, {end}] {Outcome}";
    }

    /// <summary>A register value for messages: quoted, or <c>absent</c> for null.</summary>
    internal static string Show(string? value) => value is null ? "absent" : "\"" + value + "\"";
}
