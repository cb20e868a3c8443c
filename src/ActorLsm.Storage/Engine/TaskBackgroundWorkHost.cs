namespace ActorLsm.Storage.Engine;

/// <summary>
/// The default <see cref="IBackgroundWorkHost"/>: one flush worker and one compaction worker,
/// each a long-running task woken by a signal (RocksDB's default of two background jobs), plus
/// a timer that asks for a timed flush every quarter of the flush interval.
/// </summary>
internal sealed class TaskBackgroundWorkHost : IBackgroundWorkHost
{
    private readonly IBackgroundWork _work;
    private readonly SemaphoreSlim _flushSignal = new(0, 1);
    private readonly SemaphoreSlim _compactionSignal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flushWorker;
    private readonly Task _compactionWorker;
    private readonly Timer? _timer;

    public TaskBackgroundWorkHost(IBackgroundWork work)
    {
        _work = work;
        _flushWorker = Task.Factory.StartNew(() => Loop(_flushSignal, _work.RunFlushStep), TaskCreationOptions.LongRunning);
        _compactionWorker = Task.Factory.StartNew(() => Loop(_compactionSignal, _work.RunCompactionStep), TaskCreationOptions.LongRunning);
        if (work.FlushInterval > TimeSpan.Zero)
        {
            TimeSpan period = TimeSpan.FromTicks(Math.Max(work.FlushInterval.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
            _timer = new Timer(_ => OnTimer(), null, period, period);
        }
    }

    public void RequestFlush() => Signal(_flushSignal);

    public void RequestCompaction() => Signal(_compactionSignal);

    public void Dispose()
    {
        _timer?.Dispose();
        _stop.Cancel();
        Task.WaitAll(_flushWorker, _compactionWorker);
        _stop.Dispose();
        _flushSignal.Dispose();
        _compactionSignal.Dispose();
    }

    private static void Signal(SemaphoreSlim signal)
    {
        try
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker will run.
        }
        catch (ObjectDisposedException)
        {
            // The host is shutting down.
        }
    }

    private void OnTimer()
    {
        if (!_stop.IsCancellationRequested)
        {
            _work.FlushIfOlderThan(_work.FlushInterval);
        }
    }

    private void Loop(SemaphoreSlim signal, Func<bool> step)
    {
        while (true)
        {
            try
            {
                signal.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Steps record their own failures as the store's background error.
            while (!_stop.IsCancellationRequested && step())
            {
            }
        }
    }
}
