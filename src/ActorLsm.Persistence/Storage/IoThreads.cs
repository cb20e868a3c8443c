using System.Collections.Concurrent;

namespace ActorLsm.Persistence.Storage;

/// <summary>
/// A fixed set of dedicated threads that run blocking store calls (fsync, block reads) off the Akka
/// dispatchers and the .NET thread pool. Work is queued FIFO; <see cref="Dispose"/> lets queued work finish
/// and joins the threads.
/// </summary>
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

    /// <summary>Runs <paramref name="work"/> on one of the threads; the task completes with its result or exception.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (Thread t in _threads)
        {
            t.Join();
        }

        _queue.Dispose();
    }

    private void Run()
    {
        foreach (Action work in _queue.GetConsumingEnumerable())
        {
            work();
        }
    }
}
