using System.Buffers;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Fuzz;

/// <summary>
/// The RESP parser as a session runs it: <see cref="RespParser.TryParse"/> in a loop until it needs more bytes
/// or meets a protocol error. Input: one control byte (bits 0-5: the socket read size, 0 = everything at
/// once; bit 6: small limits of 64 arguments, 256-byte bulks and inline lines, else Redis's), then the bytes.
/// </summary>
/// <remarks>
/// The parser has no documented exception (bad input is <see cref="RespParseStatus.ProtocolError"/>), so any
/// exception is a finding. Also findings: a command that consumed nothing (the session would loop), an
/// Incomplete or ProtocolError that moved the buffer, a ProtocolError without its reply text, arguments over
/// the limits, and results that differ between the bytes parsed at once, parsed as a chain of segments, and
/// parsed as they arrive read by read (how a session sees them); more than 1 MiB plus 64 bytes per input byte
/// allocated by one whole parse.
/// </remarks>
internal static class RespTarget
{
    /// <summary>Inputs run once before fuzzing.</summary>
    public static IEnumerable<byte[]> WarmUp => Seeds.Resp().Select(s => s.Bytes);

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        int chunk = input[0] & 0x3F;
        RespParser parser = (input[0] & 0x40) != 0
            ? new RespParser { MaxArgs = 64, MaxBulkLength = 256, MaxInlineLength = 256 }
            : new RespParser();
        ReadOnlyMemory<byte> data = input.AsMemory(1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Outcome whole = ParseAll(parser, new ReadOnlySequence<byte>(data));
        Segments.CheckAllocation(before, (1 << 20) + (64L * input.Length), "one parse");

        Outcome split = ParseAll(parser, Segments.Split(data, Math.Max(chunk, 1)));
        Compare(whole, split, "one segment", "segments of " + Math.Max(chunk, 1));

        Outcome arriving = ParseArriving(parser, data, Math.Max(Math.Max(chunk, 1), data.Length / 64));
        Compare(whole, arriving, "one segment", "read by read");
    }

    private static Outcome ParseAll(RespParser parser, ReadOnlySequence<byte> buffer)
    {
        var outcome = new Outcome();
        Drain(parser, ref buffer, outcome);
        outcome.Unread = buffer.Length;
        return outcome;
    }

    // As a session: each read appends bytes; the parser runs over what is unconsumed so far.
    private static Outcome ParseArriving(RespParser parser, ReadOnlyMemory<byte> data, int step)
    {
        var outcome = new Outcome();
        int consumed = 0;
        for (int upTo = Math.Min(step, data.Length); ; upTo = Math.Min(upTo + step, data.Length))
        {
            var buffer = new ReadOnlySequence<byte>(data[consumed..upTo]);
            long length = buffer.Length;
            Drain(parser, ref buffer, outcome);
            consumed += (int)(length - buffer.Length);
            if (outcome.Status == RespParseStatus.ProtocolError || upTo == data.Length)
            {
                outcome.Unread = data.Length - consumed;
                return outcome;
            }
        }
    }

    private static void Drain(RespParser parser, ref ReadOnlySequence<byte> buffer, Outcome outcome)
    {
        while (true)
        {
            long length = buffer.Length;
            RespParseStatus status = parser.TryParse(ref buffer, out List<byte[]> args, out string? error);
            outcome.Status = status;
            outcome.Error = error;
            switch (status)
            {
                case RespParseStatus.Command:
                    if (buffer.Length >= length)
                    {
                        throw new FuzzFindingException($"a command of {args.Count} arguments consumed nothing");
                    }

                    if (args.Count > parser.MaxArgs || args.Any(a => a.LongLength > Math.Max(parser.MaxBulkLength, parser.MaxInlineLength)))
                    {
                        throw new FuzzFindingException($"a command of {args.Count} arguments exceeds the parser's limits");
                    }

                    outcome.Commands.Add(args);
                    break;
                case RespParseStatus.Incomplete:
                case RespParseStatus.ProtocolError:
                    if (buffer.Length != length)
                    {
                        throw new FuzzFindingException($"{status} consumed {length - buffer.Length} bytes");
                    }

                    if ((status == RespParseStatus.ProtocolError) != (error is not null))
                    {
                        throw new FuzzFindingException($"{status} with error text '{error}'");
                    }

                    return;
                default:
                    throw new FuzzFindingException($"unknown status {status}");
            }
        }
    }

    private static void Compare(Outcome a, Outcome b, string aName, string bName)
    {
        if (a.Status != b.Status || a.Error != b.Error || a.Unread != b.Unread || a.Commands.Count != b.Commands.Count)
        {
            throw new FuzzFindingException(
                $"{aName}: {a.Commands.Count} commands then {a.Status} '{a.Error}' with {a.Unread} bytes unread; " +
                $"{bName}: {b.Commands.Count} commands then {b.Status} '{b.Error}' with {b.Unread} bytes unread");
        }

        for (int i = 0; i < a.Commands.Count; i++)
        {
            if (a.Commands[i].Count != b.Commands[i].Count || a.Commands[i].Zip(b.Commands[i]).Any(p => !p.First.AsSpan().SequenceEqual(p.Second)))
            {
                throw new FuzzFindingException($"command {i} differs between {aName} and {bName}");
            }
        }
    }

    private sealed class Outcome
    {
        public List<List<byte[]>> Commands { get; } = [];

        public RespParseStatus Status { get; set; }

        public string? Error { get; set; }

        public long Unread { get; set; }
    }
}
