using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tests.Manifest;

public sealed class VersionEditCodecTests
{
    private const string Path = "MANIFEST-000001";

    [Fact]
    public void Decode_EncodedFullEdit_RoundTripsEveryField()
    {
        var edit = VersionEditAssert.Full();

        var decoded = VersionEditCodec.Decode(VersionEditCodec.Encode(edit), Path, 0);

        VersionEditAssert.Equal(edit, decoded);
    }

    [Fact]
    public void Decode_EncodedEmptyEdit_RoundTripsAsEmpty()
    {
        byte[] encoded = VersionEditCodec.Encode(new VersionEdit());

        var decoded = VersionEditCodec.Decode(encoded, Path, 0);

        Assert.Empty(encoded);
        VersionEditAssert.Equal(new VersionEdit(), decoded);
    }

    [Fact]
    public void Decode_ScalarsOnly_LeavesOthersUnset()
    {
        var edit = new VersionEdit { LastSequence = 9 };

        var decoded = VersionEditCodec.Decode(VersionEditCodec.Encode(edit), Path, 0);

        Assert.Null(decoded.LogNumber);
        Assert.Null(decoded.NextFileNumber);
        Assert.Equal(9UL, decoded.LastSequence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)] // LevelDB's new-file tag, reserved here
    [InlineData(9)]
    [InlineData(99)]
    [InlineData(300)]
    public void Decode_UnknownOrReservedTag_ThrowsCorruptionAtTag(uint tag)
    {
        byte[] good = VersionEditCodec.Encode(new VersionEdit { LogNumber = 5 });
        byte[] record = new byte[good.Length + Coding.MaxVarint32Length];
        good.CopyTo(record, 0);
        int n = Coding.PutVarint32(record.AsSpan(good.Length), tag);

        var e = Assert.Throws<CorruptionException>(() => VersionEditCodec.Decode(record.AsSpan(0, good.Length + n), Path, 1000));

        Assert.Equal(Path, e.FilePath);
        Assert.Equal(1000 + good.Length, e.Offset);
    }

    [Fact]
    public void Decode_EveryTruncation_ThrowsCorruptionOrDecodesFieldPrefix()
    {
        byte[] encoded = VersionEditCodec.Encode(VersionEditAssert.Full());
        int corruptions = 0;

        for (int length = 0; length < encoded.Length; length++)
        {
            try
            {
                var partial = VersionEditCodec.Decode(encoded.AsSpan(0, length), Path, 0);
                Assert.True(partial.NewFiles.Count < 2, $"prefix of {length} bytes decoded every field");
            }
            catch (CorruptionException e)
            {
                Assert.InRange(e.Offset, 0, length);
                corruptions++;
            }
        }

        // The edit has 9 fields; only the 9 prefixes ending on a field boundary (0 and after
        // each of the first 8 fields) decode cleanly.
        Assert.Equal(encoded.Length - 9, corruptions);
    }

    [Fact]
    public void Decode_LevelOutOfRange_ThrowsCorruption()
    {
        Span<byte> record = stackalloc byte[4];
        int n = Coding.PutVarint32(record, VersionEditCodec.TagDeletedFile);
        n += Coding.PutVarint32(record[n..], VersionEditCodec.MaxLevels);
        n += Coding.PutVarint64(record[n..], 1);
        byte[] bytes = record[..n].ToArray();

        Assert.Throws<CorruptionException>(() => VersionEditCodec.Decode(bytes, Path, 0));
    }

    [Fact]
    public void Decode_CompactPointerKeyShorterThanTrailer_ThrowsCorruption()
    {
        byte[] record = [(byte)VersionEditCodec.TagCompactPointer, 0, 3, 1, 2, 3];

        Assert.Throws<CorruptionException>(() => VersionEditCodec.Decode(record, Path, 0));
    }

    [Fact]
    public void Decode_KeyLengthPastRecordEnd_ThrowsCorruption()
    {
        byte[] record = [(byte)VersionEditCodec.TagCompactPointer, 0, 50, 1, 2, 3, 4, 5, 6, 7, 8, 9];

        Assert.Throws<CorruptionException>(() => VersionEditCodec.Decode(record, Path, 0));
    }

    [Fact]
    public void Encode_LevelOutOfRange_ThrowsArgumentException()
    {
        var edit = new VersionEdit();
        edit.DeleteFile(VersionEditCodec.MaxLevels, 1);

        Assert.Throws<ArgumentException>(() => VersionEditCodec.Encode(edit));
    }

    [Fact]
    public void Encode_MalformedKey_ThrowsArgumentException()
    {
        var edit = new VersionEdit();
        edit.CompactPointers.Add((0, [1, 2]));

        Assert.Throws<ArgumentException>(() => VersionEditCodec.Encode(edit));
    }

    [Fact]
    public void Encode_SequenceOverMax_ThrowsArgumentException()
    {
        var edit = new VersionEdit { LastSequence = InternalKey.MaxSequence + 1 };

        Assert.Throws<ArgumentException>(() => VersionEditCodec.Encode(edit));
    }
}
