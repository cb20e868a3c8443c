using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class RecordCodecTests
{
    [Fact]
    public void EncodeDecode_DefaultShapedRecord_RoundTrips()
    {
        var random = new Random(7);
        var fields = Enumerable.Range(0, 10).Select(i =>
        {
            byte[] value = new byte[100];
            random.NextBytes(value);
            return new KeyValuePair<string, byte[]>($"field{i}", value);
        }).ToList();

        byte[] record = RecordCodec.Encode(fields);
        List<KeyValuePair<string, byte[]>> decoded = RecordCodec.Decode(record);

        Assert.Equal(1122, record.Length);
        Assert.Equal(fields.Select(f => f.Key), decoded.Select(f => f.Key));
        for (int i = 0; i < fields.Count; i++)
        {
            Assert.Equal(fields[i].Value, decoded[i].Value);
        }
    }

    [Fact]
    public void EncodeDecode_EmptyAndUnicodeFields_RoundTrip()
    {
        KeyValuePair<string, byte[]>[] fields = [new("", []), new("名前", [1, 2, 3]), new("x", [])];
        List<KeyValuePair<string, byte[]>> decoded = RecordCodec.Decode(RecordCodec.Encode(fields));
        Assert.Equal(["", "名前", "x"], decoded.Select(f => f.Key));
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded[1].Value);
    }

    [Fact]
    public void Encode_Layout_IsLengthPrefixedLittleEndian()
    {
        byte[] record = RecordCodec.Encode([new("ab", [9])]);
        Assert.Equal(new byte[] { 1, 0, 2, 0, (byte)'a', (byte)'b', 1, 0, 0, 0, 9 }, record);
    }

    [Fact]
    public void Decode_EveryTruncation_ThrowsFormatException()
    {
        byte[] record = RecordCodec.Encode([new("field0", [1, 2, 3, 4]), new("field1", [5])]);
        for (int length = 0; length < record.Length; length++)
        {
            Assert.Throws<FormatException>(() => RecordCodec.Decode(record.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Decode_TrailingBytes_ThrowsFormatException()
    {
        byte[] record = [.. RecordCodec.Encode([new("f", [1])]), 0];
        Assert.Throws<FormatException>(() => RecordCodec.Decode(record));
    }
}
