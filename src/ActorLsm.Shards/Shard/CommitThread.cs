using System.Diagnostics;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// One dedicated background thread per shard actor that runs the shard's exclusive store work, one
/// item at a time in order: group commits (the WAL append and its fsync) and checkpoints. Keeps that
/// blocking I/O off the .NET thread pool, which Akka's default dispatcher (and so Akka.Remote) runs
/// on, and off the shard's I/O dispatcher, whose actors wait for commits when they stop. One thread
/// per shard suffices: a shard runs at most one commit or checkpoint at a time. Thread-safe.
/// </summary>
internal sealed class CommitThread
{
    // A plain queue under a monitor, not a BlockingCollection: its SemaphoreSlim spins (with
    // sched_yield) before it blocks, and with a commit thread per shard on a few cores every commit's
    // wake-up cost a string of yields and context switches (README, "Replication cost": 298 context switches per replicated update before, 169 after).
    // Monitor.Wait blocks at once; a commit that arrives while the thread works is taken without a wait.
    private readonly Queue<Action> _work = new();
    private readonly object _gate = new();
    private readonly string _name;
    private bool _completed;

    /// <param name="name">The thread's name (for dumps and profilers), e.g. <c>actorlsm-shard-07-commit</c>.</param>
    public CommitThread(string name)
    {
        _name = name;
        var thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>
    /// Queues <paramref name="work"/>; the task completes with its result or exception. Synchronous
    /// continuations run on this thread (saving a thread-pool hop per commit), so they must be short
    /// and never block: the shard's only one tells it <c>CommitDone</c>. After <see cref="Complete"/>
    /// the task fails with <see cref="ObjectDisposedException"/> and the work does not run.
    /// </summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var promise = new TaskCompletionSource<T>();
        lock (_gate)
        {
            if (!_completed)
            {
                _work.Enqueue(() =>
                {
                    try
                    {
                        promise.TrySetResult(work());
                    }
                    catch (Exception e)
                    {
                        promise.TrySetException(e);
                    }
                });
                if (_work.Count == 1)
                {
                    Monitor.Pulse(_gate); // the thread waits only on an empty queue
                }

                return promise.Task;
            }
        }

        promise.TrySetException(new ObjectDisposedException(_name + " takes no more work"));
        return promise.Task;
    }

    /// <summary>Takes no more work; the thread ends after the queued work ran. Does not wait. Idempotent.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            lock (_gate)
            {
                while (_work.Count == 0 && !_completed)
                {
                    Monitor.Wait(_gate);
                }

                if (_work.Count == 0)
                {
                    break; // completed and drained
                }

                work = _work.Dequeue();
            }

            work();
        }

        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        lock (_gate)
        {
            Debug.Assert(_completed && _work.Count == 0, "the loop ends only after Complete and an empty queue");
        }
    }
}
