using System.Diagnostics;
using ActorLsm.Cluster.Wire;
using Google.Protobuf;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// One node's durable singleton record: the highest epoch it accepted and the last manager state
/// it was asked to persist, in <c>DataDir/cluster/singleton.state</c> (Protobuf
/// <see cref="PersistedSingletonState"/>). Writes go to a temporary file that is fsynced and then
/// renamed over the old one, so a crash leaves either the old or the new record. Not thread-safe:
/// owned by the node's singleton manager actor.
/// </summary>
internal sealed class SingletonStateStore
{
    private const string FileName = "singleton.state";
    private readonly string _dir;
    private readonly string _path;
    private PersistedSingletonState _current;

    // REQUIRES: dataDir is writable; called once per node start.
    public SingletonStateStore(string dataDir)
    {
        _dir = Path.Combine(dataDir, "cluster");
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, FileName);
        _current = File.Exists(_path)
            ? PersistedSingletonState.Parser.ParseFrom(File.ReadAllBytes(_path))
            : new PersistedSingletonState { AcceptedEpoch = 0, State = new ManagerState() };
        _current.State ??= new ManagerState();
        AssertInvariants();
    }

    /// <summary>The highest epoch accepted so far (0: none).</summary>
    public long AcceptedEpoch => _current.AcceptedEpoch;

    /// <summary>The last persisted manager state (a copy).</summary>
    public ManagerState State => _current.State.Clone();

    /// <summary>Durably records <paramref name="epoch"/> as accepted. REQUIRES: epoch &gt;= AcceptedEpoch.</summary>
    public void Accept(long epoch)
    {
        Debug.Assert(epoch >= _current.AcceptedEpoch, "accepted epochs only grow");
        var next = _current.Clone();
        next.AcceptedEpoch = epoch;
        Write(next);
    }

    /// <summary>Durably records <paramref name="state"/> written in <paramref name="epoch"/>. REQUIRES: epoch &gt;= AcceptedEpoch.</summary>
    public void Persist(long epoch, ManagerState state)
    {
        Debug.Assert(epoch >= _current.AcceptedEpoch, "persist only in the accepted epoch or later");
        Write(new PersistedSingletonState { AcceptedEpoch = epoch, State = state.Clone() });
    }

    private void Write(PersistedSingletonState next)
    {
        string tmp = _path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            next.WriteTo(fs);
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, _path, overwrite: true);
        _current = next;
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_current.AcceptedEpoch >= 0 && _current.State is not null, "a record always has a state");
}
