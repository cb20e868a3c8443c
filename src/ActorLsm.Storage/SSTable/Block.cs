using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// A parsed, immutable block: entries followed by the restart array (fixed32 offsets relative to
/// the block start) and its fixed32 count (LevelDB's table/block.cc). Iterate with
/// <see cref="BlockIterator"/>. Never mutated after creation.
/// </summary>
/// <remarks>
/// Two kinds of storage:
/// <list type="bullet">
/// <item>Native (<see cref="FromNative"/>, data blocks read from a table): the contents live in
/// <see cref="NativeMemory"/> with a reference count, as RocksDB's block cache handles do (seed
/// issue 13: a managed 4 KiB array per cache miss was promoted and died in gen2, ~150 MiB of dead
/// blocks waiting for a full GC). The creator holds the first reference; each holder
/// (<see cref="Cache.BlockCache"/>, a <see cref="TableIterator"/>, a point lookup) takes one with
/// <see cref="Ref"/> and gives it back with <see cref="Unref"/>; the memory is freed when the
/// last reference goes. REQUIRES: a reader holds a reference for as long as it reads the bytes
/// (spans from <see cref="Contents"/> or a <see cref="BlockIterator"/> over this block).</item>
/// <item>Managed (the constructor, for index blocks and tests): the bytes are copied into an
/// array on the pinned object heap, kept alive by this object; <see cref="Ref"/> and
/// <see cref="Unref"/> do nothing.</item>
/// </list>
/// There is no finalizer: a native block whose references are not all given back leaks until
/// the process ends. <see cref="LiveNativeBlocks"/> and <see cref="LiveNativeBytes"/> count the
/// native memory held by all blocks of the process, so tests can check that it returns to zero.
/// </remarks>
internal sealed unsafe class Block
{
    private static long s_liveNativeBlocks;
    private static long s_liveNativeBytes;

    // Pinned managed storage (managed blocks only); keeps _base valid while this object lives.
    private readonly byte[]? _pinned;
    private readonly int _allocated;
    private byte* _base;
    private int _refs;

    /// <summary>
    /// A managed block holding a copy of <paramref name="length"/> bytes of <paramref name="data"/>
    /// at <paramref name="offset"/>. Throws <see cref="CorruptionException"/> (naming
    /// <paramref name="filePath"/> and <paramref name="fileOffset"/>) when the restart array does not fit.
    /// </summary>
    public Block(byte[] data, int offset, int length, string? filePath = null, long fileOffset = -1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, data.Length - offset);
        _pinned = GC.AllocateUninitializedArray<byte>(Math.Max(length, 1), pinned: true);
        data.AsSpan(offset, length).CopyTo(_pinned);
        _base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_pinned));
        _allocated = _pinned.Length;
        _refs = 1;
        Length = length;
        FilePath = filePath ?? "<memory>";
        FileOffset = fileOffset;
        (NumRestarts, RestartsOffset) = ParseRestarts();
        AssertInvariants();
    }

    private Block(byte* native, int allocated, int length, string? filePath, long fileOffset)
    {
        _base = native;
        _allocated = allocated;
        _refs = 1;
        Length = length;
        FilePath = filePath ?? "<memory>";
        FileOffset = fileOffset;
        (NumRestarts, RestartsOffset) = ParseRestarts();
        Interlocked.Increment(ref s_liveNativeBlocks);
        Interlocked.Add(ref s_liveNativeBytes, allocated);
        AssertInvariants();
    }

    /// <summary>
    /// When set (by tests), freed native blocks are first overwritten with 0xA5, so that a read
    /// after free sees wrong bytes instead of the old contents. Off by default.
    /// </summary>
    internal static bool PoisonOnFree { get; set; }

    /// <summary>Native blocks alive in the process (allocated and not yet freed).</summary>
    public static long LiveNativeBlocks => Interlocked.Read(ref s_liveNativeBlocks);

    /// <summary>Native bytes held by live blocks in the process (what <see cref="MemoryCharge"/> sums to).</summary>
    public static long LiveNativeBytes => Interlocked.Read(ref s_liveNativeBytes);

    /// <summary>Block contents length in bytes (entries + restart array + count; no trailer).</summary>
    public int Length { get; }

    /// <summary>Number of restart points.</summary>
    public int NumRestarts { get; }

    /// <summary>Offset in the contents where the restart array starts (= end of the entries).</summary>
    public int RestartsOffset { get; }

    /// <summary>The file the block came from, for error messages ("&lt;memory&gt;" when none).</summary>
    public string FilePath { get; }

    /// <summary>Offset of the block in <see cref="FilePath"/>, or -1.</summary>
    public long FileOffset { get; }

    /// <summary>True for a block in native memory (reference counted).</summary>
    public bool IsNative => _pinned is null;

    /// <summary>References held now (1 for a managed block). For tests and assertions.</summary>
    public int RefCount => Volatile.Read(ref _refs);

    /// <summary>Bytes this block holds in memory (its allocation, trailer room included): what a <see cref="Cache.BlockCache"/> charges for it.</summary>
    public int MemoryCharge => _allocated;

    /// <summary>
    /// The block contents. REQUIRES: the caller holds a reference (native blocks) and reads the
    /// span only while it does.
    /// </summary>
    public ReadOnlySpan<byte> Contents
    {
        get
        {
            Debug.Assert(_base is not null, "read of a freed block");
            return new ReadOnlySpan<byte>(_base, Length);
        }
    }

    /// <summary>Start of the contents, for <see cref="BlockIterator"/>. Same REQUIRES as <see cref="Contents"/>.</summary>
    internal byte* Pointer => _base;

    /// <summary>
    /// Allocates <paramref name="bytes"/> of native memory for a block, counted in
    /// <see cref="LiveNativeBytes"/> only once <see cref="FromNative"/> owns it. Give it back with
    /// <see cref="FreeNative"/> if no block is made of it. Throws <see cref="OutOfMemoryException"/>.
    /// </summary>
    public static byte* AllocateNative(int bytes) => (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes, 1));

    /// <summary>Frees memory from <see cref="AllocateNative"/> that no block owns.</summary>
    public static void FreeNative(byte* memory) => NativeMemory.Free(memory);

    /// <summary>
    /// Makes a native block of the first <paramref name="length"/> bytes at <paramref name="memory"/>
    /// (an <see cref="AllocateNative"/> allocation of <paramref name="allocated"/> bytes) and takes
    /// ownership of it; the caller holds the one reference. On <see cref="CorruptionException"/>
    /// (restart array does not fit) the memory is freed before the throw.
    /// REQUIRES: 0 &lt;= length &lt;= allocated; memory not owned by another block.
    /// </summary>
    public static Block FromNative(byte* memory, int allocated, int length, string? filePath, long fileOffset)
    {
        Debug.Assert(memory is not null && length >= 0 && length <= allocated, "bad native block range");
        try
        {
            return new Block(memory, allocated, length, filePath, fileOffset);
        }
        catch
        {
            NativeMemory.Free(memory);
            throw;
        }
    }

    /// <summary>Takes one more reference. REQUIRES: the caller (or a holder it is serialized with) already holds one.</summary>
    public void Ref()
    {
        if (_pinned is not null)
        {
            return;
        }

        int was = Interlocked.Increment(ref _refs) - 1;
        Debug.Assert(was > 0, "Ref of a freed block");
    }

    /// <summary>Gives back one reference; the last one frees the native memory. No-op for a managed block.</summary>
    public void Unref()
    {
        if (_pinned is not null)
        {
            return;
        }

        int now = Interlocked.Decrement(ref _refs);
        Debug.Assert(now >= 0, "Unref of a freed block");
        if (now == 0)
        {
            byte* memory = _base;
            _base = null;
            if (PoisonOnFree)
            {
                new Span<byte>(memory, _allocated).Fill(0xA5);
            }

            NativeMemory.Free(memory);
            Interlocked.Decrement(ref s_liveNativeBlocks);
            Interlocked.Add(ref s_liveNativeBytes, -_allocated);
        }
    }

    /// <summary>
    /// Offset in the contents of the entry at restart point <paramref name="i"/>.
    /// REQUIRES: 0 &lt;= i &lt; NumRestarts; a reference held. Throws <see cref="CorruptionException"/> when out of the entries.
    /// </summary>
    public int RestartPoint(int i)
    {
        Debug.Assert((uint)i < (uint)NumRestarts, "restart index out of range");
        uint rel = Coding.GetFixed32(new ReadOnlySpan<byte>(_base + RestartsOffset + (4 * i), 4));
        if (rel > (uint)RestartsOffset)
        {
            throw new CorruptionException(FilePath, FileOffset, $"restart point {i} at {rel} is past the entries");
        }

        return (int)rel;
    }

    private (int NumRestarts, int RestartsOffset) ParseRestarts()
    {
        if (Length < 4)
        {
            throw new CorruptionException(FilePath, FileOffset, $"block of {Length} bytes is too short for a restart count");
        }

        uint restarts = Coding.GetFixed32(new ReadOnlySpan<byte>(_base + Length - 4, 4));
        if (restarts > (uint)(Length - 4) / 4)
        {
            throw new CorruptionException(FilePath, FileOffset, $"block restart count {restarts} does not fit in {Length} bytes");
        }

        return ((int)restarts, Length - 4 - (4 * (int)restarts));
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(RestartsOffset >= 0, "restart array starts before the block");
        Debug.Assert(RestartsOffset + (4 * NumRestarts) + 4 == Length, "restart array does not end the block");
        Debug.Assert(Length <= _allocated, "contents past the allocation");
    }
}
