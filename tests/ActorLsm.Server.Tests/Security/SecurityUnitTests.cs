using System.Net;
using ActorLsm.Protocol;
using ActorLsm.Protocol.Security;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Security;
using ActorLsm.Server.Tests.Support;

namespace ActorLsm.Server.Tests.Security;

/// <summary>A clock that moves only when told (rate limiter tests need no waiting).</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public sealed class PasswordHashTests
{
    [Fact]
    public void Create_ThenVerify_SamePasswordMatchesOthersDoNot()
    {
        string text = PasswordHash.Create("correct horse", PasswordHash.MinIterations);

        Assert.StartsWith("pbkdf2-sha256$1000$", text, StringComparison.Ordinal);
        Assert.True(PasswordHash.TryParse(text, out ParsedPasswordHash hash, out string error), error);
        Assert.True(PasswordHash.Verify("correct horse", hash));
        Assert.False(PasswordHash.Verify("correct horse ", hash));
        Assert.False(PasswordHash.Verify("", hash));
    }

    [Fact]
    public void Create_SamePasswordTwice_DifferentSaltsAndHashes()
    {
        string a = PasswordHash.Create("pw", PasswordHash.MinIterations);
        string b = PasswordHash.Create("pw", PasswordHash.MinIterations);

        Assert.NotEqual(a.Split('$')[2], b.Split('$')[2]);
        Assert.NotEqual(a.Split('$')[3], b.Split('$')[3]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("sha1$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$10$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$not base64!$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    public void TryParse_Malformed_FalseWithReason(string text)
    {
        Assert.False(PasswordHash.TryParse(text, out _, out string error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}

public sealed class UserStoreTests
{
    internal static SecurityUser User(string name, string password, Role role)
    {
        Assert.True(PasswordHash.TryParse(PasswordHash.Create(password, PasswordHash.MinIterations), out ParsedPasswordHash hash, out _));
        return new SecurityUser(name, hash, role);
    }

    [Fact]
    public void Check_RightAndWrongPasswordsAndUnknownUser_OnlyTheRightOneReturnsTheUser()
    {
        var store = new UserStore([User("alice", "a-pw", Role.Admin), User("bob", "b-pw", Role.Read)]);

        Assert.True(store.AuthenticationEnabled);
        Assert.Equal(Role.Read, store.Check("bob", "b-pw")?.Role);
        Assert.Equal(Role.Admin, store.Check("alice", "a-pw")?.Role);
        Assert.Null(store.Check("bob", "a-pw"));
        Assert.Null(store.Check("carol", "b-pw"));
        Assert.Null(store.Check("Bob", "b-pw"));
    }

    [Fact]
    public void Constructor_DuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new UserStore([User("alice", "x", Role.Read), User("alice", "y", Role.Admin)]));
    }

    [Fact]
    public void Empty_NoUsers_AuthenticationOff()
    {
        Assert.False(UserStore.Empty.AuthenticationEnabled);
        Assert.Null(UserStore.Empty.Check("anyone", "anything"));
    }

    [Theory]
    [InlineData(Role.Read, Permission.Read, true)]
    [InlineData(Role.Read, Permission.Write, false)]
    [InlineData(Role.Read, Permission.Admin, false)]
    [InlineData(Role.ReadWrite, Permission.Write, true)]
    [InlineData(Role.ReadWrite, Permission.Admin, false)]
    [InlineData(Role.Admin, Permission.Admin, true)]
    public void Allows_RoleAndPermission_IncludesLowerRolesOnly(Role role, Permission permission, bool allowed)
    {
        Assert.Equal(allowed, role.Allows(permission));
    }

    [Fact]
    public void Required_EachRequestKind_ReadsWritesAndAdmin()
    {
        Assert.Equal(Permission.Read, Roles.Required(Request.BodyOneofCase.Get));
        Assert.Equal(Permission.Read, Roles.Required(Request.BodyOneofCase.Scan));
        Assert.Equal(Permission.Read, Roles.Required(Request.BodyOneofCase.ShardMap));
        Assert.Equal(Permission.Write, Roles.Required(Request.BodyOneofCase.Put));
        Assert.Equal(Permission.Write, Roles.Required(Request.BodyOneofCase.Delete));
        Assert.Equal(Permission.Write, Roles.Required(Request.BodyOneofCase.Batch));
        Assert.Equal(Permission.Write, Roles.Required(Request.BodyOneofCase.Expire)); // EXPIRE changes a key
        Assert.Equal(Permission.Admin, Roles.Required(Request.BodyOneofCase.Leave));
    }

    [Fact]
    public void TryParse_RoleWords_MatchConfiguration()
    {
        Assert.True(Roles.TryParse("readwrite", out Role role));
        Assert.Equal(Role.ReadWrite, role);
        Assert.Equal("admin", Role.Admin.Name());
        Assert.False(Roles.TryParse("root", out _));
        Assert.False(Roles.TryParse("Admin", out _));
    }
}

public sealed class AuthRateLimiterTests
{
    private static readonly IPAddress s_a = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress s_b = IPAddress.Parse("10.0.0.2");

    private static AuthRateLimiter Limiter(ManualTime time, int free = 2, int maxTracked = 100) => new(
        new AuthRateLimitOptions { FreeFailures = free, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8), MaxTrackedAddresses = maxTracked },
        time);

    [Fact]
    public void RecordFailure_PastFreeFailures_WaitDoublesUpToMax()
    {
        var time = new ManualTime();
        AuthRateLimiter limiter = Limiter(time);

        var waits = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            waits.Add(limiter.RecordFailure(s_a).Wait.TotalSeconds);
        }

        Assert.Equal([0, 0, 1, 2, 4, 8, 8, 8], waits);
        Assert.Equal(TimeSpan.FromSeconds(8), limiter.RetryAfter(s_a));
        Assert.Equal(TimeSpan.Zero, limiter.RetryAfter(s_b));
    }

    [Fact]
    public void RetryAfter_TimePasses_CountsDown()
    {
        var time = new ManualTime();
        AuthRateLimiter limiter = Limiter(time, free: 0);
        limiter.RecordFailure(s_a);
        limiter.RecordFailure(s_a); // wait 2 s

        time.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.RetryAfter(s_a));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.RetryAfter(s_a));
    }

    [Fact]
    public void RecordSuccess_AfterFailures_AddressStartsAfresh()
    {
        var time = new ManualTime();
        AuthRateLimiter limiter = Limiter(time, free: 0);
        limiter.RecordFailure(s_a);
        limiter.RecordFailure(s_a);

        limiter.RecordSuccess(s_a);

        Assert.Equal(TimeSpan.Zero, limiter.RetryAfter(s_a));
        Assert.Equal(1, limiter.RecordFailure(s_a).Failures);
    }

    [Fact]
    public void RecordFailure_AfterQuietPeriod_CountRestarts()
    {
        var time = new ManualTime();
        AuthRateLimiter limiter = Limiter(time);
        for (int i = 0; i < 5; i++)
        {
            limiter.RecordFailure(s_a);
        }

        time.Advance(TimeSpan.FromSeconds(16)); // twice the maximum wait

        Assert.Equal(1, limiter.RecordFailure(s_a).Failures);
    }

    [Fact]
    public void RecordFailure_ManyAddresses_TrackedStayWithinBound()
    {
        var time = new ManualTime();
        AuthRateLimiter limiter = Limiter(time, maxTracked: 16);

        for (int i = 0; i < 100; i++)
        {
            limiter.RecordFailure(new IPAddress([10, 1, (byte)(i / 256), (byte)i]));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(16, limiter.TrackedAddresses);
    }
}

public sealed class SecurityConfigTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.3.2.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("db.example", false)]
    public void IsLoopback_Hosts_OnlyLoopbackAddresses(string host, bool loopback)
    {
        Assert.Equal(loopback, ProtectedMode.IsLoopback(host));
    }

    [Fact]
    public void Bind_NonLoopbackHostWithoutUsers_RefusedNamingProtectedMode()
    {
        using var dir = new TempDir();

        InvalidConfigException error = Assert.Throws<InvalidConfigException>(() => TestServers.Settings(dir.Path, "actorlsm.server.host = \"0.0.0.0\""));

        Assert.Equal("actorlsm.server.host", error.Path);
        Assert.Contains("protected mode", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Bind_NonLoopbackHostWithUsersOrProtectedModeOff_Accepted()
    {
        using var dir = new TempDir();
        string hash = PasswordHash.Create("pw", PasswordHash.MinIterations);

        ServerSettings withUsers = TestServers.Settings(dir.Path, $$"""
            actorlsm.server.host = "0.0.0.0"
            actorlsm.security.users = [ { name = ops, password-hash = "{{hash}}", role = admin } ]
            """);
        ServerSettings open = TestServers.Settings(dir.Path, "actorlsm.server.host = \"0.0.0.0\"\nactorlsm.security.protected-mode = off");

        Assert.Equal(Role.Admin, Assert.Single(withUsers.Security.Users.Users).Role);
        Assert.False(open.Security.ProtectedMode);
    }

    [Theory]
    [InlineData("[ { name = a, password-hash = \"nope\", role = admin } ]", "password-hash")]
    [InlineData("[ { name = a, password-hash = \"HASH\", role = root } ]", "role")]
    [InlineData("[ { password-hash = \"HASH\", role = read } ]", "name")]
    [InlineData("[ { name = a, password-hash = \"HASH\", role = read, pasword = x } ]", "unknown field")]
    [InlineData("[ { name = a, password-hash = \"HASH\", role = read }, { name = a, password-hash = \"HASH\", role = read } ]", "twice")]
    public void Bind_BadUserEntry_ErrorNamesTheUsersKeyAndField(string users, string expected)
    {
        using var dir = new TempDir();
        string hash = PasswordHash.Create("pw", PasswordHash.MinIterations);

        InvalidConfigException error = Assert.Throws<InvalidConfigException>(() =>
            TestServers.Settings(dir.Path, "actorlsm.security.users = " + users.Replace("HASH", hash, StringComparison.Ordinal)));

        Assert.Equal("actorlsm.security.users", error.Path);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_TlsOnWithoutCertificate_ErrorNamesTheKey()
    {
        using var dir = new TempDir();

        InvalidConfigException error = Assert.Throws<InvalidConfigException>(() => TestServers.Settings(dir.Path, "actorlsm.tls.client-listener = on"));

        Assert.Equal("actorlsm.tls.certificate", error.Path);
    }

    [Fact]
    public void Bind_PipelineDepthOverInFlightBound_ErrorNamesTheKey()
    {
        using var dir = new TempDir();

        InvalidConfigException error = Assert.Throws<InvalidConfigException>(() =>
            TestServers.Settings(dir.Path, "actorlsm.server.max-in-flight-per-connection = 8\nactorlsm.server.max-pipeline-depth = 9"));

        Assert.Equal("actorlsm.server.max-pipeline-depth", error.Path);
    }

    [Theory]
    [InlineData("akka.tcp://actorlsm@127.0.0.1:2551", "akka.ssl.tcp://actorlsm@127.0.0.1:2551")]
    [InlineData("akka.trttl.tcp://actorlsm@127.0.0.1:2551", "akka.trttl.ssl.tcp://actorlsm@127.0.0.1:2551")]
    [InlineData("akka.ssl.tcp://actorlsm@127.0.0.1:2551", "akka.ssl.tcp://actorlsm@127.0.0.1:2551")]
    public void SslAddress_SeedNodes_GetTheTlsScheme(string seed, string expected)
    {
        Assert.Equal(expected, RemoteTls.SslAddress(seed));
    }
}
