using System.Security.Authentication;
using ActorLsm.Client;
using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// TLS on the client listener with certificates from deploy/make-certs.sh: the client checks the node's
/// certificate against its CA file, a plaintext client is refused, and client certificates are enforced when
/// required.
/// </summary>
public sealed class TlsServerTests(TestCertificates certs) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task TlsListener_ClientTrustingTheCa_PutAndGet()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), certs.Hocon("node1", "client-listener = on"));
        await using var client = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca }));

        await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal("v"u8.ToArray(), await client.GetAsync("k"u8.ToArray()));
    }

    [Fact]
    public async Task TlsListener_PemCertificateAndKey_Served()
    {
        string hocon = $$"""
            actorlsm.tls { certificate = "{{certs.Pem("node1")}}", key = "{{certs.Key("node1")}}", client-listener = on }
            """;
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), hocon);
        await using var client = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca }));

        await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal("v"u8.ToArray(), await client.GetAsync("k"u8.ToArray()));
    }

    [Fact]
    public async Task TlsListener_ClientTrustingAnotherCa_HandshakeRefused()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), certs.Hocon("node1", "client-listener = on"));
        await using var client = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = Path.Combine(certs.RogueDir, "ca.pem") }));

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync("k"u8.ToArray()));

        Assert.True(error is AuthenticationException || error.InnerException is AuthenticationException, error.ToString());
    }

    [Fact]
    public async Task TlsListener_WrongServerName_HandshakeRefused()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), certs.Hocon("node1", "client-listener = on"));
        await using var client = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca, TargetHost = "node2" }));

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync("k"u8.ToArray()));

        Assert.True(error is AuthenticationException || error.InnerException is AuthenticationException, error.ToString());
    }

    [Fact]
    public async Task TlsListener_PlaintextClient_ClosedWithoutAResponse()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), certs.Hocon("node1", "client-listener = on"));
        await using RawConnection plain = await RawConnection.ConnectAsync(server.Port);

        await plain.SendAsync(new Request { RequestId = 1, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });

        Assert.True(await plain.ReadsNoFrameBeforeCloseAsync());
    }

    [Fact]
    public async Task TlsListener_ClientCertificatesRequired_OnlyClientsWithOneFromTheCaServed()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore(), certs.Hocon("node1", "client-listener = on\nclient-certificates = required"));
        await using var anonymous = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca }));
        await using var rogue = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca, ClientCertificatePath = Path.Combine(certs.RogueDir, "rogue.pfx") }));
        await using var trusted = new ActorLsmClient(Options(server, new ActorLsmClientTlsOptions { CaPath = certs.Ca, ClientCertificatePath = certs.Pem("client"), ClientKeyPath = certs.Key("client") }));

        await trusted.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.GetAsync("k"u8.ToArray()));
        await Assert.ThrowsAnyAsync<Exception>(() => rogue.GetAsync("k"u8.ToArray()));
        Assert.Equal("v"u8.ToArray(), await trusted.GetAsync("k"u8.ToArray()));
    }

    private static ActorLsmClientOptions Options(ActorLsmServer server, ActorLsmClientTlsOptions tls) => new()
    {
        Endpoints = [server.Endpoint],
        ShardRouting = false,
        ConnectionsPerEndpoint = 1,
        RequestTimeout = TimeSpan.FromSeconds(10),
        Tls = tls,
    };
}
