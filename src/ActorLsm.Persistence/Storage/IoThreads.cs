using System.Collections.Concurrent;

namespace ActorLsm.Persistence.Storage;

/// <summary>
/// A fixed set of dedicated threads that run blocking store calls (fsync, block reads) off the Akka
/// dispatchers and the .NET thread pool. Work is queued FIFO; <see cref="Dispose"/> lets queued work finish
/// and joins the threads.
/// </summary>
/// <remarks>
/// A task of <see cref="Run{T}"/> completes on the I/O thread and its continuations run there, inline: the
/// journal's continuations only decode, Tell and issue the next call (they never block), and skipping the hop
/// through the thread pool raised embedded Persist from about 1,100 to about 2,400 events/s in A/B runs of
/// journal-bench on the loaded 2-core machine (src/ActorLsm.Benchmarks/Persistence/README.md). The idle threads
/// wait in BlockingCollection, which spins briefly before it blocks: a profile shows that spinning as a large
/// share of the process's CPU, but a queue that blocks at once (Monitor.Wait) made every write wait for a
/// thread wake-up on a loaded machine and measured three times slower.
/// </remarks>
internal sealed class IoThreads : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;

    public IoThreads(int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"{name}-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads; the task completes there with its result or
    /// exception, and its continuations run there synchronously (so they must not block).
    /// </summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>();
        _queue.Add(() =>
        {
            T result;
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
                return;
            }

            done.SetResult(result);
        });
        return done.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        bool onIoThread = Array.IndexOf(_threads, Thread.CurrentThread) >= 0;
        foreach (Thread t in _threads)
        {
            if (t != Thread.CurrentThread)
            {
                t.Join();
            }
        }

        if (!onIoThread)
        {
            // Called from a continuation on an I/O thread, the queue stays for that thread to leave its loop.
            _queue.Dispose();
        }
    }

    private void Run()
    {
        foreach (Action work in _queue.GetConsumingEnumerable())
        {
            work();
        }
    }
}
