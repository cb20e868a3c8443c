using System.Buffers;

namespace ActorLsm.Fuzz;

/// <summary>Input helpers shared by the targets.</summary>
internal static class Segments
{
    /// <summary><paramref name="data"/> in segments of <paramref name="chunk"/> bytes (<see cref="SequenceSegment.Split"/>).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, int chunk) => SequenceSegment.Split(data, chunk);

    /// <summary>Throws a finding when this thread allocated more than <paramref name="limit"/> bytes since <paramref name="before"/>.</summary>
    public static void CheckAllocation(long before, long limit, string what)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > limit)
        {
            throw new FuzzFindingException($"{what} allocated {allocated} bytes, over the bound of {limit}");
        }
    }
}
