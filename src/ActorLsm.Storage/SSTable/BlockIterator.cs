using System.Diagnostics;
using System.Runtime.CompilerServices;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Iterates the entries of one <see cref="Block"/> in internal-key order (LevelDB's Block::Iter).
/// Seek binary-searches the restart points (whose keys are stored whole) and then scans forward;
/// Prev rescans from the restart point before the current entry. The current key is rebuilt in a
/// reusable buffer, so moving allocates nothing; <see cref="Value"/> points into the block's
/// memory (native for data blocks). The iterator does not own a reference to its block: its
/// user holds one while the iterator is pointed at the block (see <see cref="Block"/>).
/// Corrupt entries throw <see cref="CorruptionException"/>. Not thread-safe; one per reader.
/// </summary>
internal sealed unsafe class BlockIterator : IInternalIterator
{
    private Block? _block;
    private byte* _base;
    private int _length;
    private int _restartsOffset;
    private int _numRestarts;

    // Offset in the block of the current entry; == _restartsOffset when not Valid.
    private int _current;

    // Offset in the block of the entry after the current one.
    private int _next;

    // Restart region holding the current entry.
    private int _restartIndex;
    private byte[] _key = new byte[64];
    private int _keyLength;
    private int _valueOffset;
    private int _valueLength;

    public BlockIterator()
    {
    }

    public BlockIterator(Block block) => Reset(block);

    /// <summary>
    /// Points the iterator at <paramref name="block"/>, not positioned (not Valid).
    /// REQUIRES: the caller holds a reference to the block until it calls <see cref="Clear"/>,
    /// <see cref="Reset"/> again or <see cref="Dispose"/>, and reads <see cref="Value"/> only meanwhile.
    /// </summary>
    public void Reset(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _block = block;
        _base = block.Pointer;
        _length = block.Length;
        _restartsOffset = block.RestartsOffset;
        _numRestarts = block.NumRestarts;
        MarkInvalid();
    }

    public bool Valid => _current < _restartsOffset;

    public ReadOnlySpan<byte> Key
    {
        get
        {
            Debug.Assert(Valid, "Key on an invalid iterator");
            return _key.AsSpan(0, _keyLength);
        }
    }

    public ReadOnlySpan<byte> Value
    {
        get
        {
            Debug.Assert(Valid, "Value on an invalid iterator");
            return Data.Slice(_valueOffset, _valueLength);
        }
    }

    // The block contents; every offset below is relative to the block start.
    private ReadOnlySpan<byte> Data => new(_base, _length);

    public void SeekToFirst()
    {
        if (_numRestarts == 0)
        {
            MarkInvalid();
            return;
        }

        SeekToRestart(0);
        ParseNext();
    }

    public void SeekToLast()
    {
        if (_numRestarts == 0)
        {
            MarkInvalid();
            return;
        }

        SeekToRestart(_numRestarts - 1);
        while (ParseNext() && _next < _restartsOffset)
        {
        }
    }

    public void Seek(ReadOnlySpan<byte> internalKey)
    {
        if (_numRestarts == 0)
        {
            MarkInvalid();
            return;
        }

        // Find the last restart point whose key is < target; the answer is in its region or is
        // the first entry of the next one, which the forward scan reaches.
        int left = 0;
        int right = _numRestarts - 1;
        while (left < right)
        {
            int mid = (left + right + 1) >>> 1;
            if (InternalKey.Compare(RestartKey(mid), internalKey) < 0)
            {
                left = mid;
            }
            else
            {
                right = mid - 1;
            }
        }

        SeekToRestart(left);
        while (ParseNext())
        {
            if (InternalKey.Compare(Key, internalKey) >= 0)
            {
                return;
            }
        }
    }

    public void SeekForPrev(ReadOnlySpan<byte> internalKey) => this.SeekForPrevViaSeek(internalKey);

    public void Next()
    {
        Debug.Assert(Valid, "Next on an invalid iterator");
        ParseNext();
    }

    public void Prev()
    {
        Debug.Assert(Valid, "Prev on an invalid iterator");
        int original = _current;
        while (_block!.RestartPoint(_restartIndex) >= original)
        {
            if (_restartIndex == 0)
            {
                MarkInvalid();
                return;
            }

            _restartIndex--;
        }

        SeekToRestart(_restartIndex);
        while (ParseNext() && _next < original)
        {
        }
    }

    public void Dispose() => Clear();

    /// <summary>Drops the block reference (so a reused iterator does not pin it); <see cref="Reset"/> makes it usable again.</summary>
    public void Clear()
    {
        _block = null;
        _base = null;
        _length = 0;
        _restartsOffset = 0;
        _numRestarts = 0;
        MarkInvalid();
    }

    private void MarkInvalid()
    {
        _current = _restartsOffset;
        _next = _restartsOffset;
        _restartIndex = _numRestarts;
        _keyLength = 0;
    }

    private void SeekToRestart(int index)
    {
        _keyLength = 0;
        _restartIndex = index;
        _next = _block!.RestartPoint(index);
    }

    // The key of the entry at restart point i, read in place (restart entries share no prefix).
    private ReadOnlySpan<byte> RestartKey(int i)
    {
        int p = _block!.RestartPoint(i);
        p = DecodeHeader(p, out uint shared, out uint nonShared, out _);
        if (shared != 0)
        {
            throw Corrupt(p, "restart point entry shares a key prefix");
        }

        return Data.Slice(p, (int)nonShared);
    }

    // Decodes the entry at _next into the current position. Returns false (and marks the
    // iterator invalid) at the end of the entries.
    private bool ParseNext()
    {
        _current = _next;
        if (_current >= _restartsOffset)
        {
            MarkInvalid();
            return false;
        }

        int p = DecodeHeader(_current, out uint shared, out uint nonShared, out uint valueLength);
        if (shared > (uint)_keyLength)
        {
            throw Corrupt(_current, $"entry shares {shared} key bytes but the previous key has {_keyLength}");
        }

        int keyLength = (int)shared + (int)nonShared;
        if (keyLength > _key.Length)
        {
            var bigger = new byte[Math.Max(keyLength, _key.Length * 2)];
            _key.AsSpan(0, (int)shared).CopyTo(bigger);
            _key = bigger;
        }

        Data.Slice(p, (int)nonShared).CopyTo(_key.AsSpan((int)shared));
        _keyLength = keyLength;
        _valueOffset = p + (int)nonShared;
        _valueLength = (int)valueLength;
        _next = _valueOffset + _valueLength;
        while (_restartIndex + 1 < _numRestarts && _block!.RestartPoint(_restartIndex + 1) <= _current)
        {
            _restartIndex++;
        }

        AssertInvariants();
        return true;
    }

    // Decodes shared, non_shared and value_length at p; returns the index of the key delta and
    // checks that delta and value fit before the restart array.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int DecodeHeader(int p, out uint shared, out uint nonShared, out uint valueLength)
    {
        int limit = _restartsOffset;
        var data = Data;
        if (limit - p >= 3 && (data[p] | data[p + 1] | data[p + 2]) < 0x80)
        {
            // Fast path: all three varints are one byte.
            shared = data[p];
            nonShared = data[p + 1];
            valueLength = data[p + 2];
            p += 3;
        }
        else
        {
            p = DecodeHeaderSlow(p, out shared, out nonShared, out valueLength);
        }

        if ((ulong)nonShared + valueLength > (ulong)(limit - p))
        {
            throw Corrupt(p, $"entry of {nonShared} key and {valueLength} value bytes overruns the block");
        }

        return p;
    }

    private int DecodeHeaderSlow(int p, out uint shared, out uint nonShared, out uint valueLength)
    {
        var src = Data.Slice(p, _restartsOffset - p);
        int a = Coding.GetVarint32(src, out shared);
        int b = Coding.GetVarint32(src[a..], out nonShared);
        int c = Coding.GetVarint32(src[(a + b)..], out valueLength);
        if (a == 0 || b == 0 || c == 0)
        {
            throw Corrupt(p, "truncated block entry header");
        }

        return p + a + b + c;
    }

    private CorruptionException Corrupt(int indexInData, string detail)
    {
        var block = _block!;
        long at = block.FileOffset < 0 ? -1 : block.FileOffset + indexInData;
        return new CorruptionException(block.FilePath, at, "data block: " + detail);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_current <= _restartsOffset && _next <= _restartsOffset, "position past the entries");
        Debug.Assert(!Valid || _restartIndex < _numRestarts, "restart index out of range");
        Debug.Assert(!Valid || _block!.RestartPoint(_restartIndex) <= _current, "current entry before its restart point");
    }
}
