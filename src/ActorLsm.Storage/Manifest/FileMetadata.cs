using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// What the manifest records about one SSTable: its number, size, internal-key range and
/// sequence-number range. Immutable; shared by every <c>Version</c> that holds the file.
/// </summary>
internal sealed class FileMetadata
{
    public FileMetadata(ulong number, long size, byte[] smallest, byte[] largest, ulong smallestSequence, ulong largestSequence)
    {
        Number = number;
        Size = size;
        Smallest = smallest;
        Largest = largest;
        SmallestSequence = smallestSequence;
        LargestSequence = largestSequence;
    }

    public ulong Number { get; }

    /// <summary>File size in bytes.</summary>
    public long Size { get; }

    /// <summary>Smallest internal key in the file.</summary>
    public byte[] Smallest { get; }

    /// <summary>Largest internal key in the file.</summary>
    public byte[] Largest { get; }

    public ulong SmallestSequence { get; }

    public ulong LargestSequence { get; }

    public ReadOnlySpan<byte> SmallestUserKey => InternalKey.UserKey(Smallest);

    public ReadOnlySpan<byte> LargestUserKey => InternalKey.UserKey(Largest);

    /// <summary>
    /// Set while a compaction has this file among its inputs, so no second compaction picks it.
    /// REQUIRES: read and written only under the version set's lock.
    /// </summary>
    public bool BeingCompacted { get; set; }

    public override string ToString() =>
        $"#{Number} {Size}B [{InternalKey.Describe(Smallest)} .. {InternalKey.Describe(Largest)}]";
}
