using System.Buffers;

namespace ActorLsm.Fuzz;

/// <summary>
/// One segment of a multi-segment <see cref="ReadOnlySequence{T}"/>, as a socket's reads hand data
/// over. Shared (as a linked source file) by the fuzz targets and tests/ActorLsm.Protocol.Tests.
/// </summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    public SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex = 0)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links a segment holding <paramref name="memory"/> after this one and returns it.</summary>
    public SequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new SequenceSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }

    /// <summary>
    /// <paramref name="data"/> as a sequence of segments of <paramref name="chunk"/> bytes (the last may be
    /// shorter); chunk 0 gives one segment.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, int chunk)
    {
        if (chunk <= 0 || data.Length <= chunk)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var first = new SequenceSegment(data[..chunk]);
        SequenceSegment last = first;
        for (int at = chunk; at < data.Length; at += chunk)
        {
            last = last.Append(data[at..Math.Min(at + chunk, data.Length)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
