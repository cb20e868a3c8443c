using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Memtables;

/// <summary>
/// A skiplist of internal keys (ordered by <see cref="InternalKey.Compare"/>) whose nodes, keys
/// and values all live in one <see cref="Arena"/> and link to each other by int32 offsets (seed
/// 000; the shape of Badger's arena skiplist and LevelDB's memtable skiplist). Probability 1/4 per
/// extra level, at most <see cref="MaxHeight"/> levels.
/// </summary>
/// <remarks>
/// <para>Node layout, all int32 little-endian, 4-byte aligned (in-memory only, never persisted):
/// <c>[keyOffset][keyLength][valueOffset][valueLength][height][next_0 .. next_{height-1}]</c>,
/// followed in the same allocation by the internal key bytes and then the value bytes.
/// A next offset of <see cref="Arena.NullOffset"/> ends a level.</para>
/// <para>Threading, as in LevelDB: one writer (<see cref="TryInsert"/>, REQUIRES external
/// serialization) and any number of lock-free readers. The writer fills a node completely, then
/// publishes it level by level from the bottom with <c>Volatile.Write</c>
/// (a release); readers follow next offsets with <c>Volatile.Read</c> (an acquire),
/// so a reader that reaches a node sees all of its bytes. Nodes are never unlinked or changed
/// after publication, so every reader sees a sorted list that only grows.</para>
/// </remarks>
internal sealed class SkipList
{
    /// <summary>Tallest tower. With p = 1/4 this serves about 4^16 entries well.</summary>
    public const int MaxHeight = 16;

    /// <summary>Bytes of a node before its tower.</summary>
    public const int NodeHeaderSize = 5 * sizeof(int);

    /// <summary>Arena bytes of the head node (a full-height tower without key or value).</summary>
    public const int HeadNodeSize = NodeHeaderSize + (MaxHeight * sizeof(int));

    /// <summary>Seed of the height generator when the caller gives none; fixed so runs repeat.</summary>
    public const uint DefaultSeed = 0x2545F491;

    private const int KeyOffsetField = 0;
    private const int KeyLengthField = 4;
    private const int ValueOffsetField = 8;
    private const int ValueLengthField = 12;
    private const int HeightField = 16;

    private readonly Arena _arena;
    private readonly int _head;
    private int _height;
    private int _count;
    private uint _random;

    /// <summary>
    /// Creates an empty list whose head node is allocated in <paramref name="arena"/>.
    /// </summary>
    /// <param name="arena">Arena for every node; the list is its only writer from now on.</param>
    /// <param name="seed">Seed of the xorshift height generator (0 is replaced by <see cref="DefaultSeed"/>).</param>
    /// <exception cref="ArgumentException">The arena cannot hold the head node (<see cref="HeadNodeSize"/> bytes).</exception>
    public SkipList(Arena arena, uint seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(arena);
        _arena = arena;
        _random = seed == 0 ? DefaultSeed : seed;
        _head = arena.Allocate(HeadNodeSize);
        if (_head < 0)
        {
            throw new ArgumentException($"the arena cannot hold the skiplist head node ({HeadNodeSize} bytes)", nameof(arena));
        }

        // The arena is not zeroed: write every field of the head explicitly.
        arena.Int32At(_head + KeyOffsetField) = _head + HeadNodeSize;
        arena.Int32At(_head + KeyLengthField) = 0;
        arena.Int32At(_head + ValueOffsetField) = _head + HeadNodeSize;
        arena.Int32At(_head + ValueLengthField) = 0;
        arena.Int32At(_head + HeightField) = MaxHeight;
        for (int level = 0; level < MaxHeight; level++)
        {
            arena.Int32At(NextField(_head, level)) = Arena.NullOffset;
        }

        _height = 1;
    }


    /// <summary>Entries inserted so far. Safe to read from any thread.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The arena holding the nodes.</summary>
    public Arena Arena => _arena;

    /// <summary>
    /// Upper bound of the arena bytes one entry takes: a full-height node, the internal key
    /// (<paramref name="internalKeyLength"/> bytes), the value and the worst alignment padding.
    /// </summary>
    public static int MaxEntrySize(int internalKeyLength, int valueLength) =>
        checked(NodeHeaderSize + (MaxHeight * sizeof(int)) + internalKeyLength + valueLength + (Arena.Alignment - 1));

    /// <summary>
    /// Inserts the internal key <c>userKey ++ fixed64_le(trailer)</c> with <paramref name="value"/>,
    /// writing the key straight into the arena. Returns false, changing nothing, when the arena
    /// cannot hold the node. REQUIRES: single writer; no entry with the same internal key exists.
    /// </summary>
    public bool TryInsert(ReadOnlySpan<byte> userKey, ulong trailer, ReadOnlySpan<byte> value)
    {
        uint randomBefore = _random;
        int height = RandomHeight();
        int towerBytes = height * sizeof(int);
        int keyLength = userKey.Length + InternalKey.TrailerSize;
        long size = (long)NodeHeaderSize + towerBytes + keyLength + value.Length;
        int node = size > int.MaxValue ? -1 : _arena.Allocate((int)size);
        if (node < 0)
        {
            // Rewind the height generator too, so the list's shape depends only on accepted entries.
            _random = randomBefore;
            return false;
        }

        // Fill the node completely before any reader can reach it.
        int keyOffset = node + NodeHeaderSize + towerBytes;
        int valueOffset = keyOffset + keyLength;
        Span<byte> keyBytes = _arena.GetSpan(keyOffset, keyLength);
        userKey.CopyTo(keyBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(keyBytes[userKey.Length..], trailer);
        value.CopyTo(_arena.GetSpan(valueOffset, value.Length));
        _arena.Int32At(node + KeyOffsetField) = keyOffset;
        _arena.Int32At(node + KeyLengthField) = keyLength;
        _arena.Int32At(node + ValueOffsetField) = valueOffset;
        _arena.Int32At(node + ValueLengthField) = value.Length;
        _arena.Int32At(node + HeightField) = height;

        // Find, at each level, the last node before the new key (prev) and its successor.
        Span<int> prev = stackalloc int[MaxHeight];
        int listHeight = _height;
        int x = _head;
        for (int level = listHeight - 1; level >= 0; level--)
        {
            int next = NextOf(x, level);
            while (next != Arena.NullOffset && CompareNode(next, userKey, trailer) < 0)
            {
                x = next;
                next = NextOf(x, level);
            }

            Debug.Assert(next == Arena.NullOffset || CompareNode(next, userKey, trailer) != 0, "duplicate internal key inserted");
            prev[level] = x;
            if (level < height)
            {
                _arena.Int32At(NextField(node, level)) = next;
            }
        }

        for (int level = listHeight; level < height; level++)
        {
            prev[level] = _head;
            _arena.Int32At(NextField(node, level)) = Arena.NullOffset;
        }

        // A reader that sees the new height before the links finds null at the head and descends.
        if (height > listHeight)
        {
            Volatile.Write(ref _height, height);
        }

        // Publish bottom-up: once linked at level 0 the node is in the list; higher levels only speed up search.
        for (int level = 0; level < height; level++)
        {
            Volatile.Write(ref _arena.Int32At(NextField(prev[level], level)), node);
        }

        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    /// <summary>The first node, or <see cref="Arena.NullOffset"/> when the list is empty.</summary>
    public int First => NextOf(_head, 0);

    /// <summary>The node after <paramref name="node"/> at level 0, or null. REQUIRES: node is not null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int node) => NextOf(node, 0);

    /// <summary>The internal key of <paramref name="node"/>. REQUIRES: node is a published node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> KeyOf(int node) =>
        _arena.Read(_arena.Int32At(node + KeyOffsetField), _arena.Int32At(node + KeyLengthField));

    /// <summary>The value of <paramref name="node"/> (empty for tombstones). REQUIRES: node is a published node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ValueOf(int node) =>
        _arena.Read(_arena.Int32At(node + ValueOffsetField), _arena.Int32At(node + ValueLengthField));

    /// <summary>
    /// The first node whose internal key is &gt;= <c>userKey ++ trailer</c>, or null.
    /// </summary>
    public int FindGreaterOrEqual(ReadOnlySpan<byte> userKey, ulong trailer)
    {
        int x = _head;
        int level = Volatile.Read(ref _height) - 1;
        while (true)
        {
            int next = NextOf(x, level);
            if (next != Arena.NullOffset && CompareNode(next, userKey, trailer) < 0)
            {
                x = next;
            }
            else if (level == 0)
            {
                return next;
            }
            else
            {
                level--;
            }
        }
    }

    /// <summary>
    /// The last node whose internal key is &lt; <c>userKey ++ trailer</c> (or &lt;= when
    /// <paramref name="orEqual"/>), or null when there is none.
    /// </summary>
    public int FindLessThan(ReadOnlySpan<byte> userKey, ulong trailer, bool orEqual)
    {
        int bound = orEqual ? 0 : -1;
        int x = _head;
        int level = Volatile.Read(ref _height) - 1;
        while (true)
        {
            int next = NextOf(x, level);
            if (next != Arena.NullOffset && CompareNode(next, userKey, trailer) <= bound)
            {
                x = next;
            }
            else if (level == 0)
            {
                return x == _head ? Arena.NullOffset : x;
            }
            else
            {
                level--;
            }
        }
    }

    /// <summary>The last node, or null when the list is empty.</summary>
    public int FindLast()
    {
        int x = _head;
        int level = Volatile.Read(ref _height) - 1;
        while (true)
        {
            int next = NextOf(x, level);
            if (next != Arena.NullOffset)
            {
                x = next;
            }
            else if (level == 0)
            {
                return x == _head ? Arena.NullOffset : x;
            }
            else
            {
                level--;
            }
        }
    }

    /// <summary>
    /// Compares the internal key of <paramref name="node"/> with <c>userKey ++ trailer</c>, with the
    /// same result as <see cref="InternalKey.Compare"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CompareNode(int node, ReadOnlySpan<byte> userKey, ulong trailer)
    {
        int keyOffset = _arena.Int32At(node + KeyOffsetField);
        int userKeyLength = _arena.Int32At(node + KeyLengthField) - InternalKey.TrailerSize;
        ReadOnlySpan<byte> nodeUserKey = _arena.Read(keyOffset, userKeyLength);
        int c = nodeUserKey.SequenceCompareTo(userKey);
        if (c != 0)
        {
            return c;
        }

        ulong nodeTrailer = BinaryPrimitives.ReadUInt64LittleEndian(_arena.Read(keyOffset + userKeyLength, InternalKey.TrailerSize));
        return nodeTrailer > trailer ? -1 : nodeTrailer < trailer ? 1 : 0;
    }

    /// <summary>Checks that level 0 is strictly ascending, each higher level is too, and the count matches.</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        _arena.AssertInvariants();
        Debug.Assert(_height >= 1 && _height <= MaxHeight, "list height outside [1, MaxHeight]");
        int count = 0;
        int previous = Arena.NullOffset;
        for (int node = First; node != Arena.NullOffset; node = Next(node))
        {
            Debug.Assert(previous == Arena.NullOffset || InternalKey.Compare(KeyOf(previous), KeyOf(node)) < 0, "level 0 out of order");
            Debug.Assert(_arena.Int32At(node + HeightField) is >= 1 and <= MaxHeight, "node height outside [1, MaxHeight]");
            previous = node;
            count++;
        }

        Debug.Assert(count == _count, "level 0 length differs from Count");
        for (int level = 1; level < _height; level++)
        {
            previous = Arena.NullOffset;
            for (int node = NextOf(_head, level); node != Arena.NullOffset; node = NextOf(node, level))
            {
                Debug.Assert(previous == Arena.NullOffset || InternalKey.Compare(KeyOf(previous), KeyOf(node)) < 0, "upper level out of order");
                previous = node;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextField(int node, int level) => node + NodeHeaderSize + (level * sizeof(int));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int NextOf(int node, int level) => Volatile.Read(ref _arena.Int32At(NextField(node, level)));

    /// <summary>A height in [1, MaxHeight] with P(height &gt; h) = 4^-h: pairs of trailing zero bits of an xorshift32 draw.</summary>
    private int RandomHeight()
    {
        uint r = _random;
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        _random = r;
        int extra = BitOperations.TrailingZeroCount(r) / 2;
        return 1 + Math.Min(extra, MaxHeight - 1);
    }
}
