namespace ActorLsm.Storage;

/// <summary>
/// One write batch as the WAL holds it, returned by <see cref="LsmStore.ReadLog"/> for a
/// replica to apply with <see cref="LsmStore.WriteAt(WriteBatch, ulong)"/> (the unit of a Kafka follower fetch:
/// a record batch with its base offset and record count).
/// </summary>
/// <param name="FirstSequence">Sequence number of the batch's first put or delete; record i has FirstSequence + i.</param>
/// <param name="Count">Number of puts and deletes in the batch, at least 1.</param>
/// <param name="Payload">
/// The encoded write batch, header included, exactly as in the WAL record (Wal/FORMAT.md, "Write
/// batch payload"); parse it with <see cref="WriteBatch.FromBytes"/>. Owned by the record: nothing
/// writes to the array once the record is made (replicators send it to followers without a copy).
/// </param>
public readonly record struct LogRecord(ulong FirstSequence, int Count, byte[] Payload);
