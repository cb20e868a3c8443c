using System.Diagnostics;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Builds one block in LevelDB's block format (table/block_builder.cc): entries with shared-prefix
/// key compression, a restart point (an entry stored with its whole key) every
/// <c>restartInterval</c> entries, then the restart array (fixed32 offsets) and its count.
/// See FORMAT.md, "Block contents". Keys are internal keys (<see cref="InternalKey"/>). Buffers
/// are reused across <see cref="Reset"/>, so steady-state building allocates nothing.
/// </summary>
internal sealed class BlockBuilder
{
    private readonly int _restartInterval;
    private byte[] _buffer = new byte[TableFormat.DefaultBlockSize + 512];
    private int _length;
    private int[] _restarts = new int[64];
    private int _restartCount;
    private int _counter;
    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength;
    private int _entryCount;
    private bool _finished;

    /// <param name="restartInterval">Entries between restart points, &gt;= 1 (default 16).</param>
    public BlockBuilder(int restartInterval = TableFormat.DefaultRestartInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(restartInterval, 1);
        _restartInterval = restartInterval;
        Reset();
    }

    /// <summary>Entries added since the last <see cref="Reset"/>.</summary>
    public int EntryCount => _entryCount;

    public bool IsEmpty => _entryCount == 0;

    /// <summary>The key added last. REQUIRES: !IsEmpty.</summary>
    public ReadOnlySpan<byte> LastKey => _lastKey.AsSpan(0, _lastKeyLength);

    /// <summary>Size in bytes the block would have if finished now (entries + restart array + count).</summary>
    public int CurrentSizeEstimate => _finished ? _length : _length + (_restartCount * 4) + 4;

    /// <summary>Clears the builder for a new block, keeping its buffers.</summary>
    public void Reset()
    {
        _length = 0;
        _restarts[0] = 0;
        _restartCount = 1;
        _counter = 0;
        _lastKeyLength = 0;
        _entryCount = 0;
        _finished = false;
    }

    /// <summary>
    /// Appends an entry. REQUIRES: not finished; <paramref name="key"/> sorts strictly after every
    /// key added since <see cref="Reset"/> (internal-key order).
    /// </summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Debug.Assert(!_finished, "Add after Finish");
        Debug.Assert(_entryCount == 0 || InternalKey.Compare(key, LastKey) > 0, "keys must be strictly increasing");

        int shared = 0;
        if (_counter < _restartInterval)
        {
            shared = key.CommonPrefixLength(LastKey);
        }
        else
        {
            if (_restartCount == _restarts.Length)
            {
                Array.Resize(ref _restarts, _restarts.Length * 2);
            }

            _restarts[_restartCount++] = _length;
            _counter = 0;
        }

        int nonShared = key.Length - shared;
        int needed = (3 * Coding.MaxVarint32Length) + nonShared + value.Length;
        EnsureCapacity(_length + needed);

        var dst = _buffer.AsSpan(_length);
        int n = Coding.PutVarint32(dst, (uint)shared);
        n += Coding.PutVarint32(dst[n..], (uint)nonShared);
        n += Coding.PutVarint32(dst[n..], (uint)value.Length);
        key[shared..].CopyTo(dst[n..]);
        n += nonShared;
        value.CopyTo(dst[n..]);
        _length += n + value.Length;

        if (_lastKey.Length < key.Length)
        {
            _lastKey = new byte[Math.Max(key.Length, _lastKey.Length * 2)];
        }

        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
        _counter++;
        _entryCount++;
        AssertInvariants();
    }

    /// <summary>
    /// Appends the restart array and count and returns the finished block contents. The span is
    /// valid until the next <see cref="Reset"/>.
    /// </summary>
    public ReadOnlySpan<byte> Finish()
    {
        if (!_finished)
        {
            EnsureCapacity(_length + (_restartCount * 4) + 4);
            for (int i = 0; i < _restartCount; i++)
            {
                Coding.PutFixed32(_buffer.AsSpan(_length), (uint)_restarts[i]);
                _length += 4;
            }

            Coding.PutFixed32(_buffer.AsSpan(_length), (uint)_restartCount);
            _length += 4;
            _finished = true;
        }

        return _buffer.AsSpan(0, _length);
    }

    private void EnsureCapacity(int size)
    {
        if (size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(size, _buffer.Length * 2));
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_restartCount >= 1 && _restarts[0] == 0, "the first entry is always a restart point");
        Debug.Assert(_counter <= _restartInterval, "restart interval overrun");
        Debug.Assert(_restarts[_restartCount - 1] <= _length, "restart point past the end");
    }
}
