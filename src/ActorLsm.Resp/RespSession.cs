using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using ActorLsm.Protocol;
using ActorLsm.Resp.Commands;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp;

/// <summary>
/// One RESP connection: its state (protocol version, name, user and role) and the loop that serves it.
/// Pipelining: every complete command in one read is parsed and started; commands run concurrently where
/// their <see cref="RespCommandClass"/> allows; replies are written in command order and flushed once per
/// read (or when a conflicting command must wait for them). Not thread-safe: commands read the session's
/// state only while being started, on the connection's loop.
/// </summary>
public sealed class RespSession
{
    private readonly RespService _service;
    private readonly RespParser _parser = new();
    private readonly Queue<(Task<RespValue> Task, int Protocol)> _pending = new();
    private bool _pendingRead;
    private bool _pendingWrite;
    private bool _pendingBarrier;
    private CancellationToken _stopping;
    private List<byte[]>? _getKeys;
    private List<TaskCompletionSource<RespValue>>? _getWaiters;

    /// <summary>A session of <paramref name="service"/> for a client at <paramref name="remote"/> (<c>host:port</c>, shown by CLIENT INFO).</summary>
    public RespSession(RespService service, string remote)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        Remote = remote;
        Role = service.Authenticator.Required ? null : service.Authenticator.DefaultRole;
    }

    /// <summary>The front end this connection belongs to.</summary>
    public RespService Service => _service;

    /// <summary>The client id (CLIENT ID): unique while the node runs.</summary>
    public long Id { get; private set; }

    /// <summary>The peer's address.</summary>
    public string Remote { get; }

    /// <summary>Protocol version of replies: 2, or 3 after <c>HELLO 3</c>.</summary>
    public int Protocol { get; internal set; } = 2;

    /// <summary>CLIENT SETNAME's name (empty when none).</summary>
    public string Name { get; internal set; } = string.Empty;

    /// <summary>CLIENT SETINFO LIB-NAME.</summary>
    public string LibraryName { get; internal set; } = string.Empty;

    /// <summary>CLIENT SETINFO LIB-VER.</summary>
    public string LibraryVersion { get; internal set; } = string.Empty;

    /// <summary>The authenticated user (<c>default</c> until AUTH names another).</summary>
    public string User { get; internal set; } = "default";

    /// <summary>The connection's role; null until it authenticates when authentication is required.</summary>
    public RespRole? Role { get; internal set; }

    /// <summary>Set by QUIT: the connection closes once the replies so far are written.</summary>
    public bool Closing { get; internal set; }

    /// <summary>The command being started (for errors that name it).</summary>
    internal string CurrentCommand { get; private set; } = string.Empty;

    /// <summary>
    /// Serves the connection until the peer closes it, QUIT, a protocol error or <paramref name="cancellationToken"/>.
    /// Never throws for the peer's behaviour; completes both pipes.
    /// </summary>
    public async Task RunAsync(IDuplexPipe transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Id = _service.Register(this);
        _stopping = cancellationToken;
        PipeReader input = transport.Input;
        PipeWriter output = transport.Output;
        try
        {
            while (!Closing)
            {
                ReadResult read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                string? protocolError = null;
                while (!Closing)
                {
                    RespParseStatus status = _parser.TryParse(ref buffer, out List<byte[]> args, out string? error);
                    if (status == RespParseStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == RespParseStatus.ProtocolError)
                    {
                        protocolError = error;
                        break;
                    }

                    if (args.Count == 0)
                    {
                        continue;
                    }

                    await StartAsync(args, output).ConfigureAwait(false);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                await DrainAsync(output).ConfigureAwait(false);
                if (protocolError is not null)
                {
                    RespWriter.Write(output, RespValue.Error("ERR " + protocolError), Protocol);
                    Closing = true;
                }

                FlushResult flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (read.IsCompleted || read.IsCanceled || flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The node is stopping.
        }
        catch (IOException)
        {
            // The peer went away.
        }
        finally
        {
            _service.Unregister(Id);
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    // Starts one command after whatever it must wait for; its reply joins the ordered queue.
    private async ValueTask StartAsync(List<byte[]> args, PipeWriter output)
    {
        (RespCommand? command, RespValue? refusal, int waitSlot) = Resolve(args);
        if (waitSlot >= 0)
        {
            FlushGets();
            refusal = await RouteAfterLeaderChangeAsync(waitSlot).ConfigureAwait(false);
        }

        RespCommandClass cls = command?.Class ?? RespCommandClass.Free;
        bool conflicts = _pendingBarrier
            || (cls == RespCommandClass.Barrier && _pending.Count > 0)
            || (cls == RespCommandClass.Read && _pendingWrite)
            || (cls == RespCommandClass.Write && _pendingRead)
            || _pending.Count >= _service.Options.MaxPipelineDepth;
        if (conflicts)
        {
            await DrainAsync(output).ConfigureAwait(false);
        }

        int protocol = Protocol;
        Task<RespValue> reply;
        if (refusal is { } refused)
        {
            reply = Task.FromResult(refused);
        }
        else
        {
            _service.CountCommand();
            try
            {
                ValueTask<RespValue> started = command!.Handler(this, args);
                reply = started.IsCompletedSuccessfully ? Task.FromResult(started.Result) : started.AsTask();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                reply = Task.FromException<RespValue>(ex);
            }

            if (cls == RespCommandClass.Barrier)
            {
                // A barrier runs alone (nothing is pending); HELLO's reply is in the protocol it chose.
                RespValue value = await ReplyOf(reply).ConfigureAwait(false);
                RespWriter.Write(output, value, Protocol);
                return;
            }
        }

        if (_pending.Count == 0 && reply.IsCompleted)
        {
            RespWriter.Write(output, await ReplyOf(reply).ConfigureAwait(false), protocol);
            return;
        }

        _pending.Enqueue((reply, protocol));
        switch (cls)
        {
            case RespCommandClass.Read:
                _pendingRead = true;
                break;
            case RespCommandClass.Write:
                _pendingWrite = true;
                break;
            case RespCommandClass.Barrier:
                _pendingBarrier = true;
                break;
        }
    }

    /// <summary>
    /// A GET's value, read together with the other GETs this connection starts before its replies are next
    /// awaited (the GETs of one read of a pipeline): <see cref="IRespBackend.GetMany"/> then asks each shard once.
    /// REQUIRES: called on the connection's loop, while a command is being started.
    /// </summary>
    /// <returns>The GET's reply: the value as a bulk string, or null.</returns>
    internal Task<RespValue> QueueGet(byte[] key)
    {
        var waiter = new TaskCompletionSource<RespValue>();
        (_getKeys ??= []).Add(key);
        (_getWaiters ??= []).Add(waiter);
        return waiter.Task;
    }

    // Sends the gathered GETs. Called before anything awaits pending replies, so none waits on an unsent read.
    private void FlushGets()
    {
        if (_getKeys is not { Count: > 0 } keys)
        {
            return;
        }

        List<TaskCompletionSource<RespValue>> waiters = _getWaiters!;
        _getKeys = null;
        _getWaiters = null;
        if (keys.Count == 1)
        {
            Task<byte[]?> one;
            try
            {
                one = _service.Backend.GetAsync(keys[0], CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                one = Task.FromException<byte[]?>(ex);
            }

            _ = one.ContinueWith(
                static (t, state) => Settle((TaskCompletionSource<RespValue>)state!, t),
                waiters[0],
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return;
        }

        IReadOnlyList<Task<byte[]?>> reads;
        try
        {
            reads = _service.Backend.GetMany(keys, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            reads = [.. keys.Select(_ => Task.FromException<byte[]?>(ex))];
        }

        // Each GET gets its own read's outcome: a failure answers only the GETs it concerns.
        for (int i = 0; i < waiters.Count; i++)
        {
            _ = reads[i].ContinueWith(
                static (t, state) => Settle((TaskCompletionSource<RespValue>)state!, t),
                waiters[i],
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private static void Settle(TaskCompletionSource<RespValue> waiter, Task<byte[]?> read)
    {
        if (read.IsCompletedSuccessfully)
        {
            waiter.TrySetResult(RespValue.Bulk(read.Result));
        }
        else
        {
            waiter.TrySetException(read.Exception?.InnerException ?? new TaskCanceledException(read));
        }
    }

    private async ValueTask DrainAsync(PipeWriter output)
    {
        FlushGets();
        while (_pending.TryDequeue(out (Task<RespValue> Task, int Protocol) next))
        {
            RespWriter.Write(output, await ReplyOf(next.Task).ConfigureAwait(false), next.Protocol);
        }

        _pendingRead = _pendingWrite = _pendingBarrier = false;
        AssertInvariants();
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertInvariants()
    {
        System.Diagnostics.Debug.Assert(_pending.Count > 0 || !(_pendingRead || _pendingWrite || _pendingBarrier), "class flags describe pending replies only");
        System.Diagnostics.Debug.Assert(Protocol is 2 or 3, "the protocol is RESP2 or RESP3");
    }

    private async Task<RespValue> ReplyOf(Task<RespValue> task)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return RespValue.Error(ErrorText(ex));
        }
    }

    /// <summary>The RESP error for a failed command: the backend's classification, else <c>ERR</c> and the message.</summary>
    internal string ErrorText(Exception ex) =>
        _service.Backend.ClassifyError(ex) ?? ex switch
        {
            TimeoutException => "ERR timeout: " + ex.Message,
            _ => "ERR " + ex.Message,
        };

    // A slot got a transient redirect (its shard is changing leader): waits for topology changes, up to
    // LeaderChangeWait, until the slot routes here (null: run the command) or to a final redirect (MOVED).
    // Later commands of this connection wait behind it, so replies stay in order. Redis clients follow
    // MOVED but most (redis-cli -c among them) give up on TRYAGAIN: waiting here carries them across a failover.
    private async Task<RespValue?> RouteAfterLeaderChangeAsync(int slot)
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_service.Options.LeaderChangeWait.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (true)
        {
            // The change task is taken before routing, so a change between the two is not missed.
            Task? changed = _service.Backend.TopologyChanged;
            if (_service.Backend.Route(slot) is not { } redirect)
            {
                return null;
            }

            TimeSpan remaining = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), deadline);
            if (!redirect.Transient || changed is null || remaining <= TimeSpan.Zero)
            {
                return RespValue.Error(redirect.Error);
            }

            try
            {
                await changed.WaitAsync(remaining, _stopping).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Routed once more above the loop's top: the last word is the redirect of that moment.
            }
        }
    }

    // The command, or the refusal to answer instead (unknown, arity, auth, role, slot); WaitSlot >= 0 when
    // the refusal is a transient redirect of that slot, worth waiting out.
    private (RespCommand? Command, RespValue? Refusal, int WaitSlot) Resolve(List<byte[]> args)
    {
        if (!_service.TryGetCommand(args[0], out RespCommand? command))
        {
            CurrentCommand = Encoding.UTF8.GetString(args[0]).ToLowerInvariant();
            var text = new StringBuilder("ERR unknown command '").Append(Encoding.UTF8.GetString(args[0])).Append("', with args beginning with: ");
            for (int i = 1; i < args.Count && i < 16; i++)
            {
                text.Append('\'').Append(Encoding.UTF8.GetString(args[i], 0, Math.Min(args[i].Length, 128))).Append("' ");
            }

            return (null, RespValue.Error(text.ToString()), -1);
        }

        string name = command.Name;
        CurrentCommand = name;
        if (!command.AcceptsArgCount(args.Count))
        {
            return (command, Errors.WrongArgs(name), -1);
        }

        if (Role is not { } role)
        {
            return command.NoAuth ? (command, null, -1) : (command, RespValue.Error("NOAUTH Authentication required."), -1);
        }

        if ((command.IsAdmin && role != RespRole.Admin) || (command.IsWrite && role == RespRole.Read))
        {
            return (command, RespValue.Error($"NOPERM User {User} has no permissions to run the '{name}' command"), -1);
        }

        int slot = -1;
        foreach (int position in command.KeyPositions(args.Count))
        {
            int s = KeySlot.Of(args[position]);
            if (slot < 0)
            {
                slot = s;
            }
            else if (s != slot)
            {
                return (command, RespValue.Error("CROSSSLOT Keys in request don't hash to the same slot"), -1);
            }
        }

        if (slot >= 0 && _service.Backend.Route(slot) is { } redirect)
        {
            return (command, RespValue.Error(redirect.Error), redirect.Transient && _service.Options.LeaderChangeWait > TimeSpan.Zero ? slot : -1);
        }

        return (command, null, -1);
    }
}
