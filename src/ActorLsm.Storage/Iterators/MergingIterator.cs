using System.Diagnostics;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Iterators;

/// <summary>
/// Merges child iterators into one internal-key-ordered stream (LevelDB's MergingIterator):
/// the current entry is the smallest child key going forward, the largest going backward.
/// Duplicate internal keys cannot occur (sequence numbers are unique), so no tie-breaking rule
/// beyond child order is needed. A linear scan over the children picks the current one: read
/// paths merge about a dozen sources (memtables, L0 files, one iterator per level).
/// Disposing the merging iterator disposes every child.
/// </summary>
internal sealed class MergingIterator : IInternalIterator
{
    private readonly IInternalIterator[] _children;
    private IInternalIterator? _current;
    private bool _forward = true;

    public MergingIterator(IInternalIterator[] children)
    {
        _children = children;
    }

    public bool Valid => _current is not null;

    public ReadOnlySpan<byte> Key => _current!.Key;

    public ReadOnlySpan<byte> Value => _current!.Value;

    public void SeekToFirst()
    {
        foreach (IInternalIterator child in _children)
        {
            child.SeekToFirst();
        }

        _forward = true;
        FindSmallest();
    }

    public void SeekToLast()
    {
        foreach (IInternalIterator child in _children)
        {
            child.SeekToLast();
        }

        _forward = false;
        FindLargest();
    }

    public void Seek(ReadOnlySpan<byte> internalKey)
    {
        foreach (IInternalIterator child in _children)
        {
            child.Seek(internalKey);
        }

        _forward = true;
        FindSmallest();
    }

    public void SeekForPrev(ReadOnlySpan<byte> internalKey)
    {
        foreach (IInternalIterator child in _children)
        {
            child.SeekForPrev(internalKey);
        }

        _forward = false;
        FindLargest();
    }

    public void Next()
    {
        Debug.Assert(Valid, "Next requires a valid iterator");
        IInternalIterator current = _current!;
        if (!_forward)
        {
            // Every other child sits at or before the current key; move each to the first
            // entry after it so all children are positioned for forward iteration.
            byte[] key = current.Key.ToArray();
            foreach (IInternalIterator child in _children)
            {
                if (ReferenceEquals(child, current))
                {
                    continue;
                }

                child.Seek(key);
                if (child.Valid && InternalKey.Compare(child.Key, key) == 0)
                {
                    child.Next();
                }
            }

            _forward = true;
        }

        current.Next();
        FindSmallest();
    }

    public void Prev()
    {
        Debug.Assert(Valid, "Prev requires a valid iterator");
        IInternalIterator current = _current!;
        if (_forward)
        {
            // Move every other child to the last entry before the current key.
            byte[] key = current.Key.ToArray();
            foreach (IInternalIterator child in _children)
            {
                if (ReferenceEquals(child, current))
                {
                    continue;
                }

                child.SeekForPrev(key);
                if (child.Valid && InternalKey.Compare(child.Key, key) == 0)
                {
                    child.Prev();
                }
            }

            _forward = false;
        }

        current.Prev();
        FindLargest();
    }

    public void Dispose()
    {
        foreach (IInternalIterator child in _children)
        {
            child.Dispose();
        }
    }

    private void FindSmallest()
    {
        IInternalIterator? smallest = null;
        foreach (IInternalIterator child in _children)
        {
            if (child.Valid && (smallest is null || InternalKey.Compare(child.Key, smallest.Key) < 0))
            {
                smallest = child;
            }
        }

        _current = smallest;
    }

    private void FindLargest()
    {
        IInternalIterator? largest = null;
        foreach (IInternalIterator child in _children)
        {
            if (child.Valid && (largest is null || InternalKey.Compare(child.Key, largest.Key) > 0))
            {
                largest = child;
            }
        }

        _current = largest;
    }
}
