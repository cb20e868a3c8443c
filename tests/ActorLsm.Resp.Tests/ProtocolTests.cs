using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using ActorLsm.Resp.Commands;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Tests;

public sealed class ProtocolTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void TryParse_TwoPipelinedCommands_ReadsBothInOrder()
    {
        var parser = new RespParser();
        ReadOnlySequence<byte> buffer = Bytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n");

        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref buffer, out List<byte[]> first, out _));
        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref buffer, out List<byte[]> second, out _));

        Assert.Equal(["GET", "k"], first.Select(Encoding.UTF8.GetString));
        Assert.Equal(["SET", "k", "vv"], second.Select(Encoding.UTF8.GetString));
        Assert.True(buffer.IsEmpty);
    }

    // Fuzzing (deploy/fuzz.sh, resp target, 2026-12-02; its limits: 64 arguments, 256-byte lines): an inline
    // line of empty quoted words gave a command of 66 arguments, over MaxArgs.
    private const string FuzzedInlineOverMaxArgs =
        "2222224322110D2208092222222222222222222222222222222222222222DD22222222222222222222222220000909090909090909" +
        "0909090900002009090909090922222222222222222222222222222222222222222222222222222222222222222222222222222222" +
        "2222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222" +
        "2200202220FF7F0A2222222222221422222232";

    [Fact]
    public void TryParse_FuzzedInlineLineOverMaxArgs_ProtocolError()
    {
        var parser = new RespParser { MaxArgs = 64, MaxBulkLength = 256, MaxInlineLength = 256 };
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(FuzzedInlineOverMaxArgs));

        Assert.Equal(RespParseStatus.ProtocolError, parser.TryParse(ref buffer, out _, out string? error));

        Assert.Equal("Protocol error: too many arguments in inline request", error);
    }

    [Fact]
    public void TryParse_InlineLineOfExactlyMaxArgs_Command()
    {
        var parser = new RespParser { MaxArgs = 3 };
        ReadOnlySequence<byte> buffer = Bytes("SET \"\" x\r\nSET a b c\r\n");

        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref buffer, out List<byte[]> args, out _));
        Assert.Equal(["SET", "", "x"], args.Select(Encoding.UTF8.GetString));
        Assert.Equal(RespParseStatus.ProtocolError, parser.TryParse(ref buffer, out _, out _));
    }

    [Fact]
    public void TryParse_CommandSplitAtEveryByte_IncompleteUntilTheLastByte()
    {
        var parser = new RespParser();
        byte[] whole = Encoding.UTF8.GetBytes("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n");
        for (int cut = 0; cut < whole.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(whole, 0, cut);
            Assert.Equal(RespParseStatus.Incomplete, parser.TryParse(ref partial, out _, out _));
        }

        var full = new ReadOnlySequence<byte>(whole);
        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref full, out List<byte[]> args, out _));
        Assert.Equal("hello", Encoding.UTF8.GetString(args[1]));
    }

    [Fact]
    public void TryParse_InlineCommand_SplitsOnSpacesAndQuotes()
    {
        var parser = new RespParser();
        ReadOnlySequence<byte> buffer = Bytes("SET  key \"a value\"\r\n");

        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref buffer, out List<byte[]> args, out _));

        Assert.Equal(["SET", "key", "a value"], args.Select(Encoding.UTF8.GetString));
    }

    [Theory]
    [InlineData("*2\r\n$x\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*abc\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'")]
    [InlineData("*1\r\n$4\r\nPINGXX\r\n", "Protocol error: invalid bulk length")]
    public void TryParse_Malformed_ProtocolErrorWithRedisWording(string input, string expected)
    {
        var parser = new RespParser();
        ReadOnlySequence<byte> buffer = Bytes(input);

        Assert.Equal(RespParseStatus.ProtocolError, parser.TryParse(ref buffer, out _, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryParse_BulkLongerThanTheLimit_ProtocolError()
    {
        var parser = new RespParser { MaxBulkLength = 10 };
        ReadOnlySequence<byte> buffer = Bytes("*1\r\n$11\r\n");

        Assert.Equal(RespParseStatus.ProtocolError, parser.TryParse(ref buffer, out _, out _));
    }

    [Fact]
    public void Write_MapAndNull_FlatInResp2TypedInResp3()
    {
        RespValue map = RespValue.Map(RespValue.Bulk("a"), RespValue.Int(1));

        Assert.Equal("*2\r\n$1\r\na\r\n:1\r\n", Encode(map, 2));
        Assert.Equal("%1\r\n$1\r\na\r\n:1\r\n", Encode(map, 3));
        Assert.Equal("$-1\r\n", Encode(RespValue.Null, 2));
        Assert.Equal("_\r\n", Encode(RespValue.Null, 3));
        Assert.Equal("$3\r\n1.5\r\n", Encode(RespValue.Double("1.5"), 2));
        Assert.Equal(",1.5\r\n", Encode(RespValue.Double("1.5"), 3));
    }

    [Fact]
    public void Write_LargeBulk_CopiedWhole()
    {
        byte[] big = new byte[300_000];
        Random.Shared.NextBytes(big);

        var pipe = new Pipe();
        RespWriter.Write(pipe.Writer, RespValue.Bulk(big), 2);
        pipe.Writer.Complete();
        pipe.Reader.TryRead(out ReadResult read);
        ReadOnlySequence<byte> buffer = read.Buffer;
        var parser = new RespParser();
        byte[] asCommand = [.. "*1\r\n"u8, .. buffer.ToArray()];
        var again = new ReadOnlySequence<byte>(asCommand);

        Assert.Equal(RespParseStatus.Command, parser.TryParse(ref again, out List<byte[]> args, out _));
        Assert.Equal(big, args[0]);
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("user:*", "user:1", true)]
    [InlineData("user:*", "order:1", false)]
    [InlineData("h?llo", "hallo", true)]
    [InlineData("h[ae]llo", "hello", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-c]llo", "hbllo", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    public void IsMatch_RedisGlob_MatchesAsRedis(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobPattern.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text)));

    private static string Encode(RespValue value, int protocol)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RespWriter.Write(buffer, value, protocol);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
