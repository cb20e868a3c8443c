using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Iterators;

internal static class InternalIteratorExtensions
{
    /// <summary>
    /// SeekForPrev built from Seek: position at the first entry &gt;= the key, then step back
    /// once unless it is the key itself (or go to the last entry when none is &gt;=). For
    /// iterators whose Seek and Prev are cheap (blocks, tables).
    /// </summary>
    public static void SeekForPrevViaSeek(this IInternalIterator iterator, ReadOnlySpan<byte> internalKey)
    {
        iterator.Seek(internalKey);
        if (!iterator.Valid)
        {
            iterator.SeekToLast();
        }
        else if (InternalKey.Compare(iterator.Key, internalKey) > 0)
        {
            iterator.Prev();
        }
    }
}
