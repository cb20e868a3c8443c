namespace ActorLsm.Storage;

/// <summary>
/// What <see cref="LsmStore.Open"/> found and did while recovering (RocksDB reports the same
/// through its info log). The one loss recovery accepts without an error is a torn tail: the
/// last record of the newest non-empty WAL segment (or of the manifest) failed its checks in a
/// way a crash in the middle of an append leaves. That write was never acknowledged if the
/// store synced it (<see cref="WalSyncMode.Batch"/>); it is dropped and counted here, so a
/// caller can tell a clean recovery from one that cut something off (FAULTS.md).
/// </summary>
/// <param name="WalSegmentsReplayed">WAL segments read at open.</param>
/// <param name="WalRecordsReplayed">Write batches replayed from them.</param>
/// <param name="DroppedTailRecords">Torn WAL tail records dropped: 0 or 1.</param>
/// <param name="DroppedTailBytes">Bytes of the WAL after the last good record, dropped with the torn tail.</param>
/// <param name="ManifestTornTail">True when the manifest's last edit was torn and dropped (a crash while it was being written).</param>
public sealed record RecoveryStats(
    int WalSegmentsReplayed,
    long WalRecordsReplayed,
    int DroppedTailRecords,
    long DroppedTailBytes,
    bool ManifestTornTail);
