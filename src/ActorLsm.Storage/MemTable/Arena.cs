using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorLsm.Storage.Memtables;

/// <summary>
/// A fixed-size bump allocator over one byte array (seed 000, after Badger's arena): memory is
/// handed out as int32 offsets into the array, never as object references, so a memtable of a
/// million entries is one GC object. Allocations are aligned to <see cref="Alignment"/> bytes so
/// int32 fields inside them can be read and written atomically. Offset 0 is never handed out and
/// serves as the null offset. Memory is never freed piecemeal; the whole array is released with
/// its memtable, back to an <see cref="ArenaPool"/> when the memtable came from one.
/// </summary>
/// <remarks>
/// The array comes from <see cref="GC.AllocateUninitializedArray{T}(int, bool)"/>, so pages the
/// allocator has not reached yet are not touched and do not count in the process's resident set.
/// Threading: <see cref="Allocate"/> REQUIRES a single writer; reads of allocated memory may run
/// on any thread once the writer has published the offset with a release write.
/// </remarks>
internal sealed class Arena
{
    /// <summary>Alignment of every allocation, in bytes.</summary>
    public const int Alignment = 4;

    /// <summary>The null offset; <see cref="Allocate"/> never returns it.</summary>
    public const int NullOffset = 0;

    /// <summary>Bytes reserved at the start so that offset 0 can mean null.</summary>
    public const int ReservedBytes = 8;

    private readonly byte[] _buffer;
    private int _used;

    /// <summary>Creates an arena of <paramref name="capacityBytes"/> bytes (at least <see cref="ReservedBytes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is below <see cref="ReservedBytes"/>.</exception>
    public Arena(int capacityBytes)
        : this(GC.AllocateUninitializedArray<byte>(Math.Max(capacityBytes, 0)))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, ReservedBytes);
    }

    /// <summary>
    /// Creates an arena over <paramref name="buffer"/>, whose contents are ignored (a recycled
    /// array holds an old memtable's bytes; every allocation is written before it is published).
    /// </summary>
    public Arena(byte[] buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, ReservedBytes, nameof(buffer));
        _buffer = buffer;
        _used = ReservedBytes;
    }

    /// <summary>The backing array, for recycling once no reader can reach it.</summary>
    internal byte[] Buffer => _buffer;

    /// <summary>Size of the backing array, in bytes.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Bytes handed out so far, padding and the reserved prefix included. Safe to read from any thread.</summary>
    public int Used => Volatile.Read(ref _used);

    /// <summary>Bytes still available (before alignment padding of the next allocation).</summary>
    public int Remaining => _buffer.Length - Used;

    /// <summary>
    /// Reserves <paramref name="size"/> bytes aligned to <see cref="Alignment"/> and returns their
    /// offset, or -1 when the arena cannot hold them (then nothing changes). The bytes are not
    /// zeroed. REQUIRES: single writer; size &gt;= 0.
    /// </summary>
    public int Allocate(int size)
    {
        Debug.Assert(size >= 0, "size must not be negative");
        int used = _used;
        int offset = (used + (Alignment - 1)) & ~(Alignment - 1);

        // long arithmetic: offset + size can exceed int.MaxValue for arenas near 2 GiB.
        if ((long)offset + size > _buffer.Length)
        {
            return -1;
        }

        Volatile.Write(ref _used, offset + size);
        return offset;
    }

    /// <summary>A writable view of <paramref name="length"/> bytes at <paramref name="offset"/> (bounds-checked).</summary>
    public Span<byte> GetSpan(int offset, int length) => _buffer.AsSpan(offset, length);

    /// <summary>
    /// A read-only view of <paramref name="length"/> bytes at <paramref name="offset"/> without
    /// bounds checks. REQUIRES: the range lies inside an allocation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Read(int offset, int length)
    {
        Debug.Assert(offset >= 0 && length >= 0 && (long)offset + length <= _buffer.Length, "range outside the arena");
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), (nint)(uint)offset), length);
    }

    /// <summary>
    /// A reference to the int32 at <paramref name="offset"/> without bounds checks.
    /// REQUIRES: offset is a multiple of <see cref="Alignment"/> inside an allocation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref int Int32At(int offset)
    {
        Debug.Assert(offset >= 0 && (offset & (Alignment - 1)) == 0 && offset + sizeof(int) <= _buffer.Length, "misaligned or outside the arena");
        return ref Unsafe.As<byte, int>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), (nint)(uint)offset));
    }

    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(_used >= ReservedBytes && _used <= _buffer.Length, "used outside [ReservedBytes, Capacity]");
    }
}
