using System.Collections.Concurrent;
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
    private readonly BlockingCollection<Action> _work = [];
    private readonly string _name;

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
        try
        {
            _work.Add(() =>
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
        }
        catch (InvalidOperationException e)
        {
            // Complete was called: BlockingCollection refuses additions.
            promise.TrySetException(new ObjectDisposedException(_name + " takes no more work", e));
        }

        return promise.Task;
    }

    /// <summary>Takes no more work; the thread ends after the queued work ran. Does not wait. Idempotent.</summary>
    public void Complete()
    {
        if (!_work.IsAddingCompleted)
        {
            _work.CompleteAdding();
        }
    }

    private void Loop()
    {
        foreach (Action work in _work.GetConsumingEnumerable())
        {
            work();
        }

        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_work.IsCompleted, "the loop ends only after Complete and an empty queue");
}
