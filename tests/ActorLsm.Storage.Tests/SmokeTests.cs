namespace ActorLsm.Storage.Tests;

public class SmokeTests
{
    [Fact]
    public void Build_Always_Succeeds() => Assert.True(true);
}
