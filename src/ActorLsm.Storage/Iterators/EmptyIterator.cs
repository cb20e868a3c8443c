namespace ActorLsm.Storage.Iterators;

/// <summary>An iterator over nothing.</summary>
internal sealed class EmptyIterator : IInternalIterator
{
    public static readonly EmptyIterator Instance = new();

    public bool Valid => false;

    public ReadOnlySpan<byte> Key => throw new InvalidOperationException("iterator is not valid");

    public ReadOnlySpan<byte> Value => throw new InvalidOperationException("iterator is not valid");

    public void SeekToFirst()
    {
    }

    public void SeekToLast()
    {
    }

    public void Seek(ReadOnlySpan<byte> internalKey)
    {
    }

    public void SeekForPrev(ReadOnlySpan<byte> internalKey)
    {
    }

    public void Next() => throw new InvalidOperationException("iterator is not valid");

    public void Prev() => throw new InvalidOperationException("iterator is not valid");

    public void Dispose()
    {
    }
}
