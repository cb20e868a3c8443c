using System.Collections.Concurrent;
using System.Diagnostics;
using ActorLsm.Resp.Commands;
using ActorLsm.Resp.Coordination;

namespace ActorLsm.Resp;

/// <summary>Settings of a node's RESP front end.</summary>
public sealed record RespServiceOptions
{
    /// <summary>The port the RESP listener is bound to (shown by INFO and HELLO).</summary>
    public int Port { get; init; }

    /// <summary>The node's software version (INFO <c>actorlsm_version</c>).</summary>
    public string Version { get; init; } = "0.0.0";

    /// <summary>The Redis version announced to clients (INFO <c>redis_version</c>, HELLO <c>version</c>); clients pick features by it.</summary>
    public string RedisVersion { get; init; } = "7.2.0";

    /// <summary>Largest page a SCAN or KEYS step asks the shards for.</summary>
    public int ScanPageSize { get; init; } = 1000;

    /// <summary>Cursors of unfinished SCANs kept (oldest dropped first; a dropped cursor gets <c>ERR invalid cursor</c>).</summary>
    public int MaxCursors { get; init; } = 10_000;

    /// <summary>Replies of one connection waiting to be written before it stops starting new commands.</summary>
    public int MaxPipelineDepth { get; init; } = 1024;

    /// <summary>
    /// How long a keyed command whose slot gets a transient redirect (<see cref="RespRedirect.Transient"/>:
    /// TRYAGAIN, CLUSTERDOWN) waits for <see cref="IRespBackend.TopologyChanged"/> and is routed again before
    /// that redirect is the reply. Zero: reply at once. Default 10 s.
    /// </summary>
    public TimeSpan LeaderChangeWait { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A node's RESP front end, shared by its connections: the command table, the backend, the write
/// coordinator, the TTL and authentication seams, the SCAN cursors and the connected clients.
/// One per listener; thread-safe. Connections are served by <see cref="RespSession.RunAsync"/>.
/// </summary>
public sealed class RespService
{
    private readonly ConcurrentDictionary<long, RespSession> _clients = new();
    private readonly ScanCursors _cursors;
    private long _nextClientId;
    private long _commands;
    private long _connectionsReceived;

    /// <summary>
    /// A front end over <paramref name="backend"/>. <paramref name="expiry"/> is the TTL seam (null: TTL commands
    /// answer <c>ERR TTL not supported yet</c>); <paramref name="authenticator"/> null means
    /// <see cref="AllowAllAuthenticator"/>.
    /// </summary>
    public RespService(IRespBackend backend, RespServiceOptions options, IRespAuthenticator? authenticator = null, IRespExpiry? expiry = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        Backend = backend;
        Options = options;
        Authenticator = authenticator ?? AllowAllAuthenticator.Instance;
        Expiry = expiry;
        Coordinator = new SlotWriteCoordinator(backend);
        var table = new Dictionary<string, RespCommand>(RespCommandTable.Build(), StringComparer.Ordinal);
        Commands = table;
        _byName = table.GetAlternateLookup<ReadOnlySpan<char>>();
        _cursors = new ScanCursors(options.MaxCursors);
        RunId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(BitConverter.GetBytes(Environment.TickCount64))[..8];
    }

    /// <summary>The node.</summary>
    public IRespBackend Backend { get; }

    /// <summary>The settings.</summary>
    public RespServiceOptions Options { get; }

    /// <summary>Who may connect.</summary>
    public IRespAuthenticator Authenticator { get; }

    /// <summary>The TTL seam; null until the engine stores expiries.</summary>
    public IRespExpiry? Expiry { get; }

    /// <summary>Serialises writes and read-modify-writes per slot.</summary>
    public SlotWriteCoordinator Coordinator { get; }

    /// <summary>The commands by lower-case name.</summary>
    public IReadOnlyDictionary<string, RespCommand> Commands { get; }

    private readonly Dictionary<string, RespCommand>.AlternateLookup<ReadOnlySpan<char>> _byName;

    /// <summary>The command named <paramref name="name"/> (ASCII, any case), found without allocating; false when unknown.</summary>
    internal bool TryGetCommand(ReadOnlySpan<byte> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RespCommand? command)
    {
        command = null;
        Span<char> lower = stackalloc char[32];
        return name.Length <= lower.Length
            && System.Text.Ascii.ToLower(name, lower, out int written) == System.Buffers.OperationStatus.Done
            && _byName.TryGetValue(lower[..written], out command);
    }

    /// <summary>40 hex digits drawn at start (INFO <c>run_id</c>).</summary>
    public string RunId { get; }

    /// <summary>When the front end started.</summary>
    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>Connections open now.</summary>
    public int ConnectedClients => _clients.Count;

    /// <summary>Connections accepted since start.</summary>
    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    /// <summary>Commands executed since start.</summary>
    public long CommandsProcessed => Interlocked.Read(ref _commands);

    /// <summary>The open connections.</summary>
    public IEnumerable<RespSession> Clients => _clients.Values;

    /// <summary>The SCAN cursors.</summary>
    internal ScanCursors Cursors => _cursors;

    internal long Register(RespSession session)
    {
        long id = Interlocked.Increment(ref _nextClientId);
        Interlocked.Increment(ref _connectionsReceived);
        _clients[id] = session;
        return id;
    }

    internal void Unregister(long id) => _clients.TryRemove(id, out _);

    internal void CountCommand() => Interlocked.Increment(ref _commands);
}

/// <summary>
/// SCAN cursors: a cursor is a number (clients such as StackExchange.Redis parse it as one) naming the key
/// the next step resumes from. Bounded: the oldest cursors are forgotten first. Thread-safe.
/// </summary>
internal sealed class ScanCursors(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, byte[]> _resume = [];
    private readonly Queue<long> _order = new();
    private long _next;

    /// <summary>A new cursor resuming at <paramref name="resumeKey"/>; never 0.</summary>
    public long Add(byte[] resumeKey)
    {
        lock (_gate)
        {
            long id = ++_next;
            _resume[id] = resumeKey;
            _order.Enqueue(id);
            while (_resume.Count > capacity && _order.TryDequeue(out long old))
            {
                _resume.Remove(old);
            }

            return id;
        }
    }

    /// <summary>The key cursor <paramref name="id"/> resumes from, or false when unknown.</summary>
    public bool TryGet(long id, out byte[] resumeKey)
    {
        lock (_gate)
        {
            if (_resume.TryGetValue(id, out byte[]? key))
            {
                resumeKey = key;
                return true;
            }

            resumeKey = [];
            return false;
        }
    }
}
