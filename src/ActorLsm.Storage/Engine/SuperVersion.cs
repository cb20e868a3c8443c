using System.Diagnostics;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Memtables;

using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Engine;

/// <summary>
/// What a read needs, captured together (RocksDB's SuperVersion): the active memtable, the
/// immutable memtables newest first, and the pinned <see cref="Manifest.Version"/>. Replaced
/// as a whole whenever any part changes; readers take it without the store's mutex.
/// </summary>
internal sealed class SuperVersion
{
    private int _refs = 1; // the store's own reference while installed

    public SuperVersion(MemTable mem, MemTable[] immutables, Version version)
    {
        Mem = mem;
        Immutables = immutables;
        Version = version;
        version.Ref();
        mem.Ref();
        foreach (MemTable imm in immutables)
        {
            imm.Ref();
        }
    }

    public MemTable Mem { get; }

    /// <summary>Immutable memtables, newest first.</summary>
    public MemTable[] Immutables { get; }

    public Version Version { get; }

    /// <summary>Takes a reference unless the super version was already retired (count zero).</summary>
    public bool TryRef()
    {
        int seen = Volatile.Read(ref _refs);
        while (seen > 0)
        {
            int prior = Interlocked.CompareExchange(ref _refs, seen + 1, seen);
            if (prior == seen)
            {
                return true;
            }

            seen = prior;
        }

        return false;
    }

    public void Unref()
    {
        int left = Interlocked.Decrement(ref _refs);
        Debug.Assert(left >= 0, "super version released more often than referenced");
        if (left == 0)
        {
            Mem.Unref();
            foreach (MemTable imm in Immutables)
            {
                imm.Unref();
            }

            Version.Unref();
        }
    }
}
