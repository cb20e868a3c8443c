using System.Security.Cryptography;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using ActorLsm.Storage;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace ActorLsm.Persistence;

/// <summary>
/// Akka.Persistence snapshot store on ActorLsm (plugin id <c>akka.persistence.snapshot-store.actorlsm</c>,
/// class <c>ActorLsm.Persistence.ActorLsmSnapshotStore, ActorLsm.Persistence</c>), same modes as
/// <see cref="ActorLsmJournal"/>. A snapshot is a header under the persistence id's hash tag with the
/// serialized data inline, or split into chunks of <c>chunk-size</c> bytes when larger (FORMAT.md
/// "snapshot-header"); the header is written last, so a load sees a whole snapshot or none.
/// </summary>
/// <remarks>
/// Semantics (those of the TCK's SnapshotStoreSpec): load returns the snapshot with the highest sequence
/// number within the criteria's sequence and timestamp bounds, or none; a save at an existing sequence
/// number replaces it; delete removes the one snapshot at the metadata's sequence number (and timestamp,
/// when it is set); delete by criteria removes every match. Errors: store failures fail the operation;
/// a header or data that fails its checksum fails the load with <see cref="CorruptionException"/> naming the key.
/// </remarks>
public sealed class ActorLsmSnapshotStore : SnapshotStore
{
    private const int HeaderPage = 8;
    private readonly IPersistenceStorage _storage;
    private readonly PersistenceKeys _keys;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly int _chunkSize;
    private readonly int _chunksPerBatch;

    /// <summary>The snapshot store of the plugin block <paramref name="config"/> (reference.conf's defaults under it).</summary>
    /// <exception cref="ConfigurationException">A bad value; the message names the key.</exception>
    public ActorLsmSnapshotStore(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(ActorLsmPersistence.DefaultSnapshotStoreConfig);
        PluginSettings settings = PluginSettings.From(config, ActorLsmPersistence.DefaultSnapshotStoreConfig);
        _storage = PersistenceStorageExtension.For(Context.System).Acquire(settings);
        _keys = new PersistenceKeys(settings.KeyPrefix);
        _serialization = Context.System.Serialization;
        long chunkSize = config.GetByteSize("chunk-size") ?? 1024 * 1024;
        _chunkSize = chunkSize is >= 1 and <= 16 * 1024 * 1024
            ? (int)chunkSize
            : throw new ConfigurationException($"chunk-size = {chunkSize}: must be between 1 byte and 16 MiB");
        _chunksPerBatch = Math.Max(1, config.GetInt("chunks-per-batch", 4));
    }

    /// <inheritdoc/>
    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        byte[] pidBase = _keys.PidBase(persistenceId);
        await foreach ((long seq, byte[] key, SnapshotHeader header) in MatchingAsync(pidBase, criteria, reverse: true, cancellationToken).ConfigureAwait(false))
        {
            byte[] data = await ReadDataAsync(pidBase, seq, key, header, cancellationToken).ConfigureAwait(false);
            object snapshot = _serialization.Deserialize(data, header.SerializerId, header.SerializerManifest);
            return new SelectedSnapshot(new SnapshotMetadata(persistenceId, seq, new DateTime(header.TimestampTicks, DateTimeKind.Utc)), snapshot);
        }

        return null;
    }

    /// <inheritdoc/>
    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(snapshot);
        Akka.Serialization.Serializer serializer = _serialization.FindSerializerFor(snapshot);
        byte[] data = Akka.Serialization.Serialization.WithTransport(_serialization.System, () => serializer.ToBinary(snapshot));
        string manifest = Akka.Serialization.Serialization.ManifestFor(serializer, snapshot);

        byte[] pidBase = _keys.PidBase(metadata.PersistenceId);
        byte[] headerKey = PersistenceKeys.Snapshot(pidBase, metadata.SequenceNr);
        SnapshotHeader? old = await TryReadHeaderAsync(headerKey, cancellationToken).ConfigureAwait(false);
        ulong generation = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue) << 31 ^ (ulong)DateTime.UtcNow.Ticks;
        int chunkCount = data.Length <= _chunkSize ? 0 : (data.Length + _chunkSize - 1) / _chunkSize;
        var header = new SnapshotHeader(metadata.Timestamp.Ticks, serializer.Identifier, manifest, generation, chunkCount, data.Length, Crc32C.Compute(data), chunkCount == 0 ? data : []);

        var batch = new List<WriteOp>();
        for (int i = 0; i < chunkCount; i++)
        {
            int offset = i * _chunkSize;
            batch.Add(WriteOp.Put(PersistenceKeys.Chunk(pidBase, metadata.SequenceNr, generation, i), data.AsSpan(offset, Math.Min(_chunkSize, data.Length - offset)).ToArray()));
            if (batch.Count == _chunksPerBatch && i < chunkCount - 1)
            {
                await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = [];
            }
        }

        // The commit point: the header, with the previous save's chunks deleted in the same batch.
        batch.Add(WriteOp.Put(headerKey, header.Encode()));
        if (old is not null && old.Generation != generation)
        {
            AddChunkDeletes(batch, pidBase, metadata.SequenceNr, old);
        }

        await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        byte[] pidBase = _keys.PidBase(metadata.PersistenceId);
        byte[] headerKey = PersistenceKeys.Snapshot(pidBase, metadata.SequenceNr);
        SnapshotHeader? header = await TryReadHeaderAsync(headerKey, cancellationToken).ConfigureAwait(false);
        if (header is null || (metadata.Timestamp != DateTime.MinValue && metadata.Timestamp.Ticks != header.TimestampTicks))
        {
            return;
        }

        var batch = new List<WriteOp> { WriteOp.Delete(headerKey) };
        AddChunkDeletes(batch, pidBase, metadata.SequenceNr, header);
        await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        byte[] pidBase = _keys.PidBase(persistenceId);
        var batch = new List<WriteOp>();
        await foreach ((long seq, byte[] key, SnapshotHeader header) in MatchingAsync(pidBase, criteria, reverse: false, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(WriteOp.Delete(key));
            AddChunkDeletes(batch, pidBase, seq, header);
            if (batch.Count >= 1000)
            {
                await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = [];
            }
        }

        if (batch.Count > 0)
        {
            await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The headers within <paramref name="criteria"/>'s sequence range, newest first when <paramref name="reverse"/>, filtered by its timestamps.</summary>
    private async IAsyncEnumerable<(long Seq, byte[] Key, SnapshotHeader Header)> MatchingAsync(
        byte[] pidBase, SnapshotSelectionCriteria criteria, bool reverse, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long min = Math.Max(0, criteria.MinSequenceNr);
        long max = criteria.MaxSequenceNr;
        if (max < min)
        {
            yield break;
        }

        byte[] start = PersistenceKeys.Snapshot(pidBase, min);
        byte[] end = PersistenceKeys.After(PersistenceKeys.Snapshot(pidBase, max));
        long maxTicks = criteria.MaxTimeStamp.Ticks;
        long minTicks = criteria.MinTimestamp?.Ticks ?? long.MinValue;
        while (true)
        {
            IReadOnlyList<KeyValuePair<byte[], byte[]>> page = await _storage.ScanAsync(start, end, HeaderPage, reverse, cancellationToken).ConfigureAwait(false);
            foreach (KeyValuePair<byte[], byte[]> kv in page)
            {
                SnapshotHeader header = DecodeHeader(kv.Key, kv.Value);
                if (header.TimestampTicks <= maxTicks && header.TimestampTicks >= minTicks)
                {
                    yield return (PersistenceKeys.SeqOf(pidBase, kv.Key), kv.Key, header);
                }
            }

            if (page.Count < HeaderPage)
            {
                yield break;
            }

            if (reverse)
            {
                end = page[^1].Key;
            }
            else
            {
                start = PersistenceKeys.After(page[^1].Key);
            }
        }
    }

    private async Task<byte[]> ReadDataAsync(byte[] pidBase, long seq, byte[] headerKey, SnapshotHeader header, CancellationToken cancellationToken)
    {
        byte[] data;
        if (header.ChunkCount == 0)
        {
            data = header.Inline;
        }
        else
        {
            data = new byte[header.TotalLength];
            int at = 0;
            for (int i = 0; i < header.ChunkCount; i++)
            {
                byte[] key = PersistenceKeys.Chunk(pidBase, seq, header.Generation, i);
                byte[] chunk = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false)
                    ?? throw new CorruptionException($"snapshot under key {PersistenceKeys.Describe(headerKey)} misses its chunk {PersistenceKeys.Describe(key)}");
                if (chunk.Length > data.Length - at)
                {
                    throw new CorruptionException($"snapshot chunk {PersistenceKeys.Describe(key)} runs past the length its header {PersistenceKeys.Describe(headerKey)} gives");
                }

                chunk.CopyTo(data, at);
                at += chunk.Length;
            }

            if (at != data.Length)
            {
                throw new CorruptionException($"snapshot chunks of {PersistenceKeys.Describe(headerKey)} hold {at} bytes, the header says {data.Length}");
            }
        }

        return Crc32C.Compute(data) == header.DataCrc
            ? data
            : throw new CorruptionException($"snapshot data of key {PersistenceKeys.Describe(headerKey)} fails its checksum");
    }

    private async Task<SnapshotHeader?> TryReadHeaderAsync(byte[] key, CancellationToken cancellationToken)
    {
        byte[]? value = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return null;
        }

        try
        {
            return SnapshotHeader.Decode(value);
        }
        catch (FormatException)
        {
            // A corrupt header is replaced or deleted; its chunks (unknown) stay behind unreferenced.
            return null;
        }
    }

    private static SnapshotHeader DecodeHeader(byte[] key, byte[] value)
    {
        try
        {
            return SnapshotHeader.Decode(value);
        }
        catch (FormatException ex)
        {
            throw new CorruptionException($"corrupt snapshot header under key {PersistenceKeys.Describe(key)}: {ex.Message}", ex);
        }
    }

    private static void AddChunkDeletes(List<WriteOp> batch, byte[] pidBase, long seq, SnapshotHeader header)
    {
        for (int i = 0; i < header.ChunkCount; i++)
        {
            batch.Add(WriteOp.Delete(PersistenceKeys.Chunk(pidBase, seq, header.Generation, i)));
        }
    }
}
