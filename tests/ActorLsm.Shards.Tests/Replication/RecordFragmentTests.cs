using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.TestKit;
using Google.Protobuf;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>
/// PROTOCOL.md R14: a WAL record larger than <see cref="ShardReplicationOptions.MaxMessageBytes"/>
/// travels in pieces of at most that size, at most two unacknowledged; the follower writes it only
/// whole, and a piece's acknowledgement acknowledges no record (R1).
/// </summary>
public sealed class RecordFragmentTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private const int Max = 1024;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The next append that is not a heartbeat (no records, no piece).</summary>
    private static async Task<AppendRecords> NextAppendAsync(TestProbe follower)
    {
        while (true)
        {
            var append = await follower.ExpectMsgAsync<AppendRecords>(s_wait);
            if (append.Records.Count > 0 || append.Fragment is not null)
            {
                return append;
            }
        }
    }

    [Fact]
    public async Task Replicator_RecordOverMaxMessageBytes_SendsPiecesTwoUnacknowledgedAtATime_R14()
    {
        // Heartbeats every 10 s and no resend for 30 s: every message the probe sees is a piece.
        var replication = new ShardReplicationOptions { MaxMessageBytes = Max, HeartbeatInterval = TimeSpan.FromSeconds(10), ResendTimeout = TimeSpan.FromSeconds(30) };
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        var follower = CreateTestProbe();
        a.Node.SetReplicaRole(0, new LeaderRole(1, "a", [new ReplicaPeer("b", follower.Ref)], ["a", "b"], 2));
        ReplicaProbe probe = await follower.ExpectMsgAsync<ReplicaProbe>(s_wait);
        follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = 1, Node = "b", LastSequence = 0, ProbeId = probe.ProbeId });

        byte[] value = RandomBytes(5000, 1);
        Task<ulong> put = a.Node.PutAsync(B("big"), value);

        var pieces = new List<RecordFragment>();
        AppendRecords first = await NextAppendAsync(follower);
        IActorRef replicator = follower.LastSender; // ExpectNoMsg below forgets it
        AppendRecords second = await NextAppendAsync(follower);
        pieces.Add(first.Fragment);
        pieces.Add(second.Fragment);
        await follower.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // the window: two pieces unacknowledged
        while (true)
        {
            RecordFragment f = pieces[^1];
            if (f.Offset + (uint)f.Data.Length == f.TotalLength)
            {
                break;
            }

            // Acknowledge the oldest unacknowledged piece: exactly one more comes.
            RecordFragment acked = pieces[^2];
            replicator.Tell(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 0, FragmentSequence = acked.FirstSequence, FragmentReceived = acked.Offset + (uint)acked.Data.Length }, follower.Ref);
            AppendRecords next = await NextAppendAsync(follower);
            pieces.Add(next.Fragment);
        }

        Assert.All(pieces, p =>
        {
            Assert.InRange(p.Data.Length, 1, Max);
            Assert.Equal(1UL, p.FirstSequence);
            Assert.Equal(1U, p.Count);
            Assert.Equal(pieces[0].TotalLength, p.TotalLength);
        });
        Assert.Equal(Enumerable.Range(0, pieces.Count).Select(i => (uint)(i * Max)), pieces.Select(p => p.Offset));
        byte[] payload = [.. pieces.SelectMany(p => p.Data.ToByteArray())];
        Assert.Equal(pieces[0].TotalLength, (uint)payload.Length);
        Assert.True(WriteBatch.FromBytes(payload).Count == 1 && payload.AsSpan().IndexOf(value) >= 0, "the pieces put together are not the record");

        // R1: the pieces' acknowledgements acknowledge nothing; the record's own ack does.
        await follower.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.False(put.IsCompleted, "the write was acknowledged before the follower had the whole record");
        replicator.Tell(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 1, SentTicks = 1, LeaderLastSequence = 1 }, follower.Ref);
        Assert.Equal(1UL, await put.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Follower_RecordsInPieces_HoldsTheLeadersBytesAfterPromotion_R14()
    {
        var replication = new ShardReplicationOptions { MaxMessageBytes = Max, HeartbeatInterval = TimeSpan.FromMilliseconds(50), ReadLease = TimeSpan.FromMilliseconds(500) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        b.Node.SetReplicaRole(0, new FollowerRole(1, "b", "a"));
        a.Node.SetReplicaRole(0, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));

        var values = new Dictionary<string, byte[]>();
        for (int i = 0; i < 6; i++)
        {
            // Whole records and pieces in turn: small values share messages, large ones are cut.
            string key = "k" + i;
            values[key] = RandomBytes(i % 2 == 0 ? 100 : 10_000 + (i * 777), i);
            await a.Node.PutAsync(B(key), values[key]);
        }

        ulong leaderLast = (await a.Node.StatusAsync()).Shards[0].LastSequence;
        Assert.True((await b.Node.StatusAsync()).Shards[0].LastSequence >= leaderLast, "R1: an acknowledged write is on the in-sync follower");
        await a.Node.KillAsync();
        b.Node.SetReplicaRole(0, new LeaderRole(2, "b", [], ["b"], 1));
        await AwaitAssertAsync(async () => Assert.Equal("leader", (await b.Node.StatusAsync()).Shards[0].Role), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        foreach ((string key, byte[] value) in values)
        {
            Assert.Equal(value, await b.Node.GetAsync(B(key)));
        }
    }

    [Fact]
    public async Task Follower_PieceThatDoesNotContinueTheRecord_RefusedSoTheLeaderProbes_R14()
    {
        var replication = new ShardReplicationOptions { MaxMessageBytes = Max, HeartbeatInterval = TimeSpan.FromSeconds(10) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        b.Node.SetReplicaRole(0, new FollowerRole(1, "b", "a"));
        IActorRef shard = b.Node.Shard(0).Ref;
        var leader = CreateTestProbe();
        var probe = new ReplicaProbe { Shard = 0, LeaderEpoch = 1, LeaderNode = "a", LastSequence = 0, ProbeId = 1 };
        probe.Epochs.Add(new EpochEntry { Epoch = 1, StartSequence = 1 });
        shard.Tell(probe, leader.Ref);
        Assert.Equal(0UL, (await leader.ExpectMsgAsync<ReplicaState>(s_wait)).LastSequence);

        byte[] value = RandomBytes(1500, 7);
        byte[] record = new WriteBatch().Put(B("big"), value).ToBytes();
        Assert.True(record.Length is > Max and <= 2 * Max);
        AppendRecords Piece(int offset, ulong firstSequence = 1) => new()
        {
            Shard = 0,
            LeaderEpoch = 1,
            PrevSequence = 0,
            Fragment = new RecordFragment
            {
                FirstSequence = firstSequence,
                Count = 1,
                Epoch = 1,
                TotalLength = (uint)record.Length,
                Offset = (uint)offset,
                Data = ByteString.CopyFrom(record, offset, Math.Min(Max, record.Length - offset)),
            },
        };

        // A second piece with no first: refused.
        shard.Tell(Piece(Max), leader.Ref);
        Assert.False((await leader.ExpectMsgAsync<AppendAck>(s_wait)).Ok);

        // A first piece: held, acknowledged as a piece, nothing written.
        shard.Tell(Piece(0), leader.Ref);
        AppendAck held = await leader.ExpectMsgAsync<AppendAck>(s_wait);
        Assert.True(held.Ok);
        Assert.Equal((1UL, (uint)Max, 0UL), (held.FragmentSequence, held.FragmentReceived, held.LastSequence));

        // A piece of another record: refused, and the held piece is dropped.
        shard.Tell(Piece(Max, firstSequence: 2), leader.Ref);
        Assert.False((await leader.ExpectMsgAsync<AppendAck>(s_wait)).Ok);
        shard.Tell(Piece(Max), leader.Ref);
        Assert.False((await leader.ExpectMsgAsync<AppendAck>(s_wait)).Ok);
        Assert.Equal(0UL, (await b.Node.StatusAsync()).Shards[0].LastSequence);

        // Both pieces in order: the record is written whole and acknowledged as a record (R1).
        shard.Tell(Piece(0), leader.Ref);
        Assert.True((await leader.ExpectMsgAsync<AppendAck>(s_wait)).FragmentReceived == Max);
        shard.Tell(Piece(Max), leader.Ref);
        AppendAck whole = await leader.ExpectMsgAsync<AppendAck>(s_wait);
        Assert.True(whole.Ok);
        Assert.Equal((0UL, 1UL), (whole.FragmentSequence, whole.LastSequence));
        Assert.Equal(1UL, (await b.Node.StatusAsync()).Shards[0].LastSequence);
    }
}
