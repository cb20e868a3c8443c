using System.Diagnostics;

namespace ActorLsm.Shards.Background;

/// <summary>
/// Counts the background steps (flush, compaction, timed memtable switch) running for one store,
/// so that <see cref="CloseAndWait"/> can refuse new steps and wait, on a monitor signal, for the
/// running ones to finish. Thread-safe.
/// </summary>
internal sealed class BackgroundStepGate
{
    private readonly object _lock = new();
    private int _running;
    private volatile bool _closed;

    /// <summary>True once <see cref="CloseAndWait"/> began: no new step may start.</summary>
    public bool IsClosed => _closed;

    /// <summary>Registers a step about to run; false when the gate is closed (do not run it).</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _running++;
            AssertInvariants();
            return true;
        }
    }

    /// <summary>REQUIRES: paired with a successful <see cref="TryEnter"/>.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            _running--;
            AssertInvariants();
            if (_running == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Refuses new steps and blocks until the running ones have exited.</summary>
    public void CloseAndWait()
    {
        lock (_lock)
        {
            _closed = true;
            while (_running > 0)
            {
                Monitor.Wait(_lock);
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_running >= 0, "exits never outnumber entries");
}
