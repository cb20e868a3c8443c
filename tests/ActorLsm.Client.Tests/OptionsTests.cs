namespace ActorLsm.Client.Tests;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData(":7400")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:port")]
    [InlineData("[]:7400")]
    public void Constructor_BadEndpoint_ThrowsArgumentException(string endpoint)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [endpoint] }));
    }

    [Theory]
    [InlineData("127.0.0.1:7400")]
    [InlineData("[::1]:7400")]
    [InlineData("node-1.example:7400")]
    public async Task Constructor_GoodEndpoint_OpensNothingYet(string endpoint)
    {
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [endpoint] });

        Assert.Equal(endpoint, client.Options.Endpoints[0]);
    }

    [Fact]
    public void Constructor_NonPositiveSettings_ThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActorLsmClient(new ActorLsmClientOptions { ConnectionsPerEndpoint = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActorLsmClient(new ActorLsmClientOptions { RequestTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActorLsmClient(new ActorLsmClientOptions { ConnectTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActorLsmClient(new ActorLsmClientOptions { MaxFrameSize = 0 }));
        Assert.Throws<ArgumentException>(() => new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [] }));
    }
}
