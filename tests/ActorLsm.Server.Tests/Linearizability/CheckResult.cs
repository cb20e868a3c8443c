namespace ActorLsm.Server.Tests.Linearizability;

/// <summary>The verdict of <see cref="LinearizabilityChecker.Check"/>.</summary>
public enum CheckOutcome
{
    /// <summary>Every key's history has a linearization.</summary>
    Ok,

    /// <summary>Some key's history has none: the store is not linearizable on that key.</summary>
    Illegal,

    /// <summary>The time budget ran out before every key was decided, and no key was found illegal.</summary>
    Unknown,
}

/// <summary>
/// A checker verdict. For <see cref="CheckOutcome.Illegal"/>, <see cref="Key"/> names the offending key,
/// <see cref="Blocking"/> is the operation that could not be placed after the longest linearizable prefix found,
/// and <see cref="Description"/> says so in one paragraph (prefix length, the register's value after it, the op).
/// </summary>
/// <param name="Outcome">Ok, Illegal or Unknown.</param>
/// <param name="Key">The illegal key (Illegal), the first undecided key (Unknown), else null.</param>
/// <param name="Blocking">The operation the search could not linearize (Illegal), else null.</param>
/// <param name="Description">A human-readable explanation, suitable for an assertion message.</param>
public sealed record CheckResult(CheckOutcome Outcome, string? Key, Operation? Blocking, string Description)
{
    /// <summary>Every key linearizable.</summary>
    public static CheckResult Linearizable(int keys, int operations) =>
        new(CheckOutcome.Ok, null, null, $"linearizable: {operations} operations over {keys} keys");

    /// <summary>A readable one-line form: the outcome and the description.</summary>
    public override string ToString() => $"{Outcome}: {Description}";
}
