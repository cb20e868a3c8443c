using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorLsm.Storage.Memtables;

/// <summary>
/// A fixed-size bump allocator over one block of native memory (seed 000, after Badger's
/// arena): memory is handed out as int32 offsets, never as object references, so a memtable of a
/// million entries costs the GC nothing. Allocations are aligned to <see cref="Alignment"/> bytes
/// so int32 fields inside them can be read and written atomically. Offset 0 is never handed out
/// and serves as the null offset.
/// </summary>
/// <remarks>
/// The block comes from <see cref="NativeMemory.Alloc(nuint)"/>: pages the allocator has not
/// reached are not resident, and <see cref="Free"/> gives the whole block back to the OS at once
/// (as RocksDB frees its arena), instead of leaving a dead 64 MiB array on the large object heap
/// until a full GC. REQUIRES: <see cref="Free"/> runs only when no reader can touch the arena;
/// the memtable's reference count guarantees it. A finalizer frees an arena that was never freed
/// explicitly (a memtable dropped without its last Unref).
/// Threading: <see cref="Allocate"/> REQUIRES a single writer; reads of allocated memory may run
/// on any thread once the writer has published the offset with a release write.
/// </remarks>
internal sealed unsafe class Arena
{
    /// <summary>Alignment of every allocation, in bytes.</summary>
    public const int Alignment = 4;

    /// <summary>The null offset; <see cref="Allocate"/> never returns it.</summary>
    public const int NullOffset = 0;

    /// <summary>Bytes reserved at the start so that offset 0 can mean null.</summary>
    public const int ReservedBytes = 8;

    private readonly int _capacity;
    private byte* _base;
    private int _used;

    /// <summary>Creates an arena of <paramref name="capacityBytes"/> bytes (at least <see cref="ReservedBytes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is below <see cref="ReservedBytes"/>.</exception>
    /// <exception cref="OutOfMemoryException">The native allocation failed.</exception>
    public Arena(int capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, ReservedBytes);
        _capacity = capacityBytes;
        _base = (byte*)NativeMemory.Alloc((nuint)capacityBytes);
        GC.AddMemoryPressure(capacityBytes);
        _used = ReservedBytes;
    }

    ~Arena() => Release();

    /// <summary>Size of the block, in bytes.</summary>
    public int Capacity => _capacity;

    /// <summary>Bytes handed out so far, padding and the reserved prefix included. Safe to read from any thread.</summary>
    public int Used => Volatile.Read(ref _used);

    /// <summary>Bytes still available (before alignment padding of the next allocation).</summary>
    public int Remaining => _capacity - Used;

    /// <summary>True once <see cref="Free"/> ran.</summary>
    public bool IsFreed => _base is null;

    /// <summary>
    /// Reserves <paramref name="size"/> bytes aligned to <see cref="Alignment"/> and returns their
    /// offset, or -1 when the arena cannot hold them (then nothing changes). The bytes are not
    /// zeroed. REQUIRES: single writer; size &gt;= 0; not freed.
    /// </summary>
    public int Allocate(int size)
    {
        Debug.Assert(size >= 0, "size must not be negative");
        Debug.Assert(_base is not null, "allocation from a freed arena");
        int used = _used;
        int offset = (used + (Alignment - 1)) & ~(Alignment - 1);

        // long arithmetic: offset + size can exceed int.MaxValue for arenas near 2 GiB.
        if ((long)offset + size > _capacity)
        {
            return -1;
        }

        Volatile.Write(ref _used, offset + size);
        return offset;
    }

    /// <summary>A writable view of <paramref name="length"/> bytes at <paramref name="offset"/> (bounds-checked).</summary>
    public Span<byte> GetSpan(int offset, int length)
    {
        if ((uint)offset > (uint)_capacity || (uint)length > (uint)(_capacity - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"range [{offset}, +{length}) outside the arena of {_capacity} bytes");
        }

        Debug.Assert(_base is not null, "access to a freed arena");
        return new Span<byte>(_base + offset, length);
    }

    /// <summary>
    /// A read-only view of <paramref name="length"/> bytes at <paramref name="offset"/> without
    /// bounds checks. REQUIRES: the range lies inside an allocation; not freed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Read(int offset, int length)
    {
        Debug.Assert(offset >= 0 && length >= 0 && (long)offset + length <= _capacity, "range outside the arena");
        Debug.Assert(_base is not null, "access to a freed arena");
        return new ReadOnlySpan<byte>(_base + (uint)offset, length);
    }

    /// <summary>
    /// A reference to the int32 at <paramref name="offset"/> without bounds checks.
    /// REQUIRES: offset is a multiple of <see cref="Alignment"/> inside an allocation; not freed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref int Int32At(int offset)
    {
        Debug.Assert(offset >= 0 && (offset & (Alignment - 1)) == 0 && offset + sizeof(int) <= _capacity, "misaligned or outside the arena");
        Debug.Assert(_base is not null, "access to a freed arena");
        return ref Unsafe.AsRef<int>(_base + (uint)offset);
    }

    /// <summary>Returns the block to the OS. REQUIRES: no reader can touch the arena any more. Idempotent.</summary>
    public void Free()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(_used >= ReservedBytes && _used <= _capacity, "used outside [ReservedBytes, Capacity]");
    }

    private void Release()
    {
        byte* block = _base;
        if (block is not null)
        {
            _base = null;
            NativeMemory.Free(block);
            GC.RemoveMemoryPressure(_capacity);
        }
    }
}
