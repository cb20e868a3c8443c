using System.Diagnostics;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// Executes one phase of a <see cref="CoreWorkload"/> against an <see cref="IYcsbStore"/>: N
/// asynchronous workers each issue one operation at a time, back to back, claiming operations
/// from a shared budget (insertcount for load, operationcount for run, or the budget given to the
/// constructor, as a warm-up pass uses) until it is spent. Every
/// operation is awaited, so when <see cref="RunAsync"/> returns every write has been acknowledged.
/// Failures are counted (<c>Return=ERROR</c>), not thrown; cancellation stops the workers and throws.
/// </summary>
internal sealed class YcsbRunner
{
    private readonly IYcsbStore _store;
    private readonly CoreWorkload _workload;
    private readonly int _threads;
    private readonly int _seed;
    private readonly long _operations;
    private long _claimed;
    private long _completed;
    private string? _firstError;

    /// <param name="store">The store the operations go to.</param>
    /// <param name="workload">The phase's operation mix and key choice.</param>
    /// <param name="threads">Workers, each with one operation in flight.</param>
    /// <param name="seed">Seed of the workers' random streams.</param>
    /// <param name="operations">Operations of this pass; null: the phase's own count (<see cref="CoreWorkload.TotalOperations"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> &lt; 1 or <paramref name="operations"/> &lt; 0.</exception>
    public YcsbRunner(IYcsbStore store, CoreWorkload workload, int threads, int seed, long? operations = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (operations is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(operations));
        }

        _store = store;
        _workload = workload;
        _threads = threads;
        _seed = seed;
        _operations = operations ?? workload.TotalOperations;
    }

    /// <summary>Operations finished so far (for progress display).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Operations of this pass: the phase's, or the budget given to the constructor.</summary>
    public long Total => _operations;

    public async Task<YcsbResult> RunAsync(CancellationToken cancellationToken)
    {
        var workers = new Task<Dictionary<YcsbOperation, OperationMeasurement>>[_threads];
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < _threads; i++)
        {
            // Distinct, reproducible streams per worker and phase.
            var random = new Random(HashCode.Combine(_seed, _workload.Phase, i));
            workers[i] = Task.Run(() => WorkerAsync(random, cancellationToken), cancellationToken);
        }

        Dictionary<YcsbOperation, OperationMeasurement>[] perWorker = await Task.WhenAll(workers).ConfigureAwait(false);
        long runTimeMs = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var merged = new Dictionary<YcsbOperation, OperationMeasurement>();
        foreach (Dictionary<YcsbOperation, OperationMeasurement> worker in perWorker)
        {
            foreach ((YcsbOperation operation, OperationMeasurement measurement) in worker)
            {
                if (!merged.TryGetValue(operation, out OperationMeasurement? total))
                {
                    total = new OperationMeasurement();
                    merged.Add(operation, total);
                }

                total.Add(measurement);
            }
        }

        return new YcsbResult { RunTimeMs = runTimeMs, Operations = Completed, Measurements = merged, FirstError = Volatile.Read(ref _firstError) };
    }

    private async Task<Dictionary<YcsbOperation, OperationMeasurement>> WorkerAsync(Random random, CancellationToken cancellationToken)
    {
        var measurements = new Dictionary<YcsbOperation, OperationMeasurement>();
        long ticket;
        while ((ticket = Interlocked.Increment(ref _claimed)) <= Total)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_workload.Phase == YcsbPhase.Load)
            {
                // Load keys are insertstart, insertstart + 1, ... in claim order.
                await InsertAsync(_workload.Settings.InsertStart + ticket - 1, random, measurements, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunOperationAsync(random, measurements, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _completed);
        }

        return measurements;
    }

    private async Task RunOperationAsync(Random random, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        switch (_workload.NextOperation(random))
        {
            case YcsbOperation.Read:
                await ReadAsync(_workload.NextKeyNumber(random), measurements, cancellationToken).ConfigureAwait(false);
                break;
            case YcsbOperation.Update:
                await UpdateAsync(_workload.NextKeyNumber(random), null, random, measurements, cancellationToken).ConfigureAwait(false);
                break;
            case YcsbOperation.Insert:
                long keyNumber = _workload.InsertSequence.Next();
                try
                {
                    await InsertAsync(keyNumber, random, measurements, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    // Acknowledged even on failure, so the key range keeps moving (YCSB does the same).
                    _workload.InsertSequence.Acknowledge(keyNumber);
                }

                break;
            case YcsbOperation.Scan:
                await ScanAsync(_workload.NextKeyNumber(random), _workload.NextScanLength(random), measurements, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await ReadModifyWriteAsync(_workload.NextKeyNumber(random), random, measurements, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task InsertAsync(long keyNumber, Random random, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        byte[] key = _workload.Key(keyNumber);
        byte[] record = _workload.NextRecord(random);
        long start = Stopwatch.GetTimestamp();
        OperationResult result = await GuardAsync(async () =>
        {
            await _store.PutAsync(key, record, cancellationToken).ConfigureAwait(false);
            return OperationResult.Ok;
        }, cancellationToken).ConfigureAwait(false);
        Measure(measurements, YcsbOperation.Insert, start, result);
    }

    private async Task<(OperationResult Result, byte[]? Record)> ReadAsync(long keyNumber, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        byte[] key = _workload.Key(keyNumber);
        byte[]? record = null;
        long start = Stopwatch.GetTimestamp();
        OperationResult result = await GuardAsync(async () =>
        {
            record = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return OperationResult.NotFound;
            }

            // The store returns the whole value whether one field or all are wanted
            // (readallfields), so both decode the record, which also validates it.
            _ = RecordCodec.Decode(record);
            return OperationResult.Ok;
        }, cancellationToken).ConfigureAwait(false);
        Measure(measurements, YcsbOperation.Read, start, result);
        return (result, record);
    }

    /// <summary>
    /// writeallfields=true writes a whole new record. Otherwise one field changes: the record is
    /// read, that field replaced, and the record written back (a KV store has no per-field
    /// update; YCSB's RocksDB binding does the same), NOT_FOUND when the record is absent.
    /// <paramref name="current"/> is a record already read (read-modify-write), else null.
    /// </summary>
    private async Task<OperationResult> UpdateAsync(long keyNumber, byte[]? current, Random random, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        byte[] key = _workload.Key(keyNumber);
        bool allFields = _workload.Settings.WriteAllFields;
        byte[]? fresh = allFields ? _workload.NextRecord(random) : null;
        int fieldIndex = _workload.NextFieldIndex(random);
        long start = Stopwatch.GetTimestamp();
        OperationResult result = await GuardAsync(async () =>
        {
            byte[]? record = fresh;
            if (record is null)
            {
                byte[]? existing = current ?? await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    return OperationResult.NotFound;
                }

                record = _workload.WithNewField(existing, fieldIndex, random);
            }

            await _store.PutAsync(key, record, cancellationToken).ConfigureAwait(false);
            return OperationResult.Ok;
        }, cancellationToken).ConfigureAwait(false);
        Measure(measurements, YcsbOperation.Update, start, result);
        return result;
    }

    private async Task ScanAsync(long keyNumber, int length, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        byte[] start = _workload.Key(keyNumber);
        long begin = Stopwatch.GetTimestamp();
        OperationResult result = await GuardAsync(async () =>
        {
            _ = await _store.ScanAsync(start, length, cancellationToken).ConfigureAwait(false);
            return OperationResult.Ok;
        }, cancellationToken).ConfigureAwait(false);
        Measure(measurements, YcsbOperation.Scan, begin, result);
    }

    private async Task ReadModifyWriteAsync(long keyNumber, Random random, Dictionary<YcsbOperation, OperationMeasurement> measurements, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        (OperationResult read, byte[]? record) = await ReadAsync(keyNumber, measurements, cancellationToken).ConfigureAwait(false);
        OperationResult result = read;
        if (read != OperationResult.Error)
        {
            OperationResult update = await UpdateAsync(keyNumber, record, random, measurements, cancellationToken).ConfigureAwait(false);
            result = update == OperationResult.Ok ? read : update;
        }

        Measure(measurements, YcsbOperation.ReadModifyWrite, start, result);
    }

    private async Task<OperationResult> GuardAsync(Func<Task<OperationResult>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            string message = $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" ");
            Interlocked.CompareExchange(ref _firstError, message, null);
            return OperationResult.Error;
        }
    }

    private static void Measure(Dictionary<YcsbOperation, OperationMeasurement> measurements, YcsbOperation operation, long startTimestamp, OperationResult result)
    {
        long micros = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
        if (!measurements.TryGetValue(operation, out OperationMeasurement? measurement))
        {
            measurement = new OperationMeasurement();
            measurements.Add(operation, measurement);
        }

        measurement.Record(micros, result);
    }
}
