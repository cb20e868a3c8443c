using ActorLsm.Client;
using ActorLsm.Protocol;
using ActorLsm.Protocol.Security;
using ActorLsm.Server.Tests.Replication;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Server.Dispatch;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Google.Protobuf;
using Xunit.Abstractions;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// The 3-node cluster with everything on: TLS on the client listeners and (mutual) on Akka.Remote, with
/// certificates from deploy/make-certs.sh, and users. A client with the CA and a password puts and gets
/// through the shard leaders; a plaintext client, a client without credentials and a plaintext Akka node
/// are refused.
/// </summary>
public sealed class SecuredClusterTests(TestCertificates certs, ITestOutputHelper output) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task SecuredCluster_TlsEverywhereAndUsers_ClientServedPlaintextPeersRefused()
    {
        string hash = PasswordHash.Create("app-pw", PasswordHash.MinIterations);
        string hocon = certs.Hocon("node1", "client-listener = on\nremote = on") + $$"""

            actorlsm.security.users = [ { name = app, password-hash = "{{hash}}", role = readwrite } ]
            """;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, hocon: hocon);
        output.WriteLine($"3 nodes up with TLS after {clock.Elapsed.TotalSeconds:F1} s");

        // Akka.Remote runs with DotNetty's TLS: the nodes' addresses carry the ssl scheme.
        ActorSystem node0 = ((ShardedNodeStore)cluster.Servers[0]!.Store).System;
        Assert.Contains("ssl", ((ExtendedActorSystem)node0).Provider.DefaultAddress.Protocol, StringComparison.Ordinal);

        await using (var client = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = cluster.Endpoints,
            User = "app",
            Password = "app-pw",
            Tls = new ActorLsmClientTlsOptions { CaPath = certs.Ca },
        }))
        {
            for (int i = 0; i < 20; i++)
            {
                await client.PutAsync(Key(i), Key(i));
            }

            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(Key(i), await client.GetAsync(Key(i)));
            }
        }

        // A client with TLS but no credentials: NOAUTH.
        await using (var anonymous = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = [cluster.Endpoints[0]],
            ShardRouting = false,
            Tls = new ActorLsmClientTlsOptions { CaPath = certs.Ca },
        }))
        {
            ActorLsmException noauth = await Assert.ThrowsAsync<ActorLsmException>(() => anonymous.GetAsync(Key(0)));
            Assert.Equal(ErrorCode.Noauth, noauth.Code);
        }

        // A plaintext client: the TLS listener closes it without a response.
        await using (RawConnection plain = await RawConnection.ConnectAsync(cluster.Servers[0]!.Port))
        {
            await plain.SendAsync(new Request { RequestId = 1, Get = new GetRequest { Key = ByteString.CopyFrom(Key(0)) } });
            Assert.True(await plain.ReadsNoFrameBeforeCloseAsync());
        }

        // A plaintext Akka node: its association with a TLS node fails.
        await AssertPlaintextAkkaRefusedAsync(cluster.Address(0).Port);
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:F1} s");
    }

    internal static async Task AssertPlaintextAkkaRefusedAsync(int remotePort)
    {
        Akka.Configuration.Config config = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.remote.log-remote-lifecycle-events = on
            """);
        using ActorSystem plain = ActorSystem.Create("actorlsm", config);
        var failed = new TaskCompletionSource<RemotingLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef listener = plain.ActorOf(Props.Create(() => new LifecycleListener(failed)));
        plain.EventStream.Subscribe(listener, typeof(AssociationErrorEvent));

        ActorSelection target = plain.ActorSelection($"akka.tcp://actorlsm@127.0.0.1:{remotePort}/system");
        target.Tell(new Identify(1));

        RemotingLifecycleEvent error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<AssociationErrorEvent>(error);
        await plain.Terminate();
    }

    private static byte[] Key(int i) => System.Text.Encoding.UTF8.GetBytes("secure-" + i);

    private sealed class LifecycleListener : ReceiveActor
    {
        public LifecycleListener(TaskCompletionSource<RemotingLifecycleEvent> failed) =>
            Receive<AssociationErrorEvent>(e => failed.TrySetResult(e));
    }
}
