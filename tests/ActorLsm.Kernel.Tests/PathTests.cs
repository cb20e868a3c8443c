using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class PathTests : TestKit
{
    [Fact]
    public async Task ResolveAsync_NestedActor_ReturnsSameRef()
    {
        var spawner = Props.Create(() => new SpawnerActor());
        var shards = ActorOf(spawner, "shards");
        var shard = await shards.Ask<IActorRef>(new Spawn("shard-07", spawner), TimeSpan.FromSeconds(5));
        var flusher = await shard.Ask<IActorRef>(new Spawn("flusher", Props.Create(() => new EchoActor())), TimeSpan.FromSeconds(5));

        var resolved = await Sys.ResolveAsync("/user/shards/shard-07/flusher");

        Assert.Equal("/user/shards/shard-07/flusher", flusher.Path.ToString());
        Assert.Same(flusher, resolved);
        Assert.Equal("hi", await resolved.Ask<string>("hi", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ResolveAsync_UnknownPath_ThrowsActorNotFound()
    {
        ActorOf(Props.Create(() => new EchoActor()), "known");

        await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ResolveAsync("/user/unknown"));
        Assert.True(Sys.TryResolve("/user/known", out _));
    }

    [Fact]
    public async Task TryResolve_AfterStop_ReturnsFalse()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()), "short-lived");
        Watch(echo);

        Sys.Stop(echo);
        await ExpectTerminatedAsync(echo);

        Assert.False(Sys.TryResolve("/user/short-lived", out _));
    }

    [Fact]
    public void ActorOf_DuplicateName_ThrowsInvalidActorName()
    {
        ActorOf(Props.Create(() => new EchoActor()), "twin");

        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create(() => new EchoActor()), "twin"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("$reserved")]
    [InlineData("has space")]
    public void ActorOf_InvalidName_ThrowsInvalidActorName(string name)
    {
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create(() => new EchoActor()), name));
    }

    [Fact]
    public void ActorOf_NoName_GetsGeneratedNameUnderUser()
    {
        var first = ActorOf(Props.Create(() => new EchoActor()));
        var second = ActorOf(Props.Create(() => new EchoActor()));

        Assert.StartsWith("/user/$", first.Path.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(first.Path, second.Path);
    }

    [Fact]
    public void ActorPath_ParseAndCompose_RoundTrips()
    {
        var composed = ActorPath.Root / "user" / "shards" / "shard-07" / "flusher";
        var parsed = ActorPath.Parse("/user/shards/shard-07/flusher/");

        Assert.Equal(composed, parsed);
        Assert.Equal("/user/shards/shard-07/flusher", parsed.ToString());
        Assert.Equal(["user", "shards", "shard-07", "flusher"], parsed.Elements);
        Assert.Equal("flusher", parsed.Name);
        Assert.Equal(4, parsed.Depth);
        Assert.Equal("/user/shards/shard-07", parsed.Parent!.ToString());
        Assert.True(ActorPath.Parse("/user").IsAncestorOrSelfOf(parsed));
        Assert.Equal("/", ActorPath.Root.ToString());
        Assert.False(ActorPath.TryParse("user/x", out _));
        Assert.Throws<FormatException>(() => ActorPath.Parse("/user/a b"));
    }
}
