using System.Buffers;

namespace ActorLsm.Fuzz;

/// <summary>Input helpers shared by the targets.</summary>
internal static class Segments
{
    /// <summary>
    /// <paramref name="data"/> as a sequence of segments of <paramref name="chunk"/> bytes (the last may be
    /// shorter), as a socket's reads hand it over; chunk 0 gives one segment.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, int chunk)
    {
        if (chunk <= 0 || data.Length <= chunk)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var first = new Segment(data[..chunk], 0);
        Segment last = first;
        for (int at = chunk; at < data.Length; at += chunk)
        {
            last = last.Append(data[at..Math.Min(at + chunk, data.Length)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Throws a finding when this thread allocated more than <paramref name="limit"/> bytes since <paramref name="before"/>.</summary>
    public static void CheckAllocation(long before, long limit, string what)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > limit)
        {
            throw new FuzzFindingException($"{what} allocated {allocated} bytes, over the bound of {limit}");
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
