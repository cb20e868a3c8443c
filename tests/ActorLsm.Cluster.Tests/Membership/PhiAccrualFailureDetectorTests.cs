using ActorLsm.Cluster.Membership;

namespace ActorLsm.Cluster.Tests.Membership;

public sealed class PhiAccrualFailureDetectorTests
{
    private static (PhiAccrualFailureDetector Detector, FakeClock Clock) RegularHeartbeats(int count)
    {
        var clock = new FakeClock();
        var settings = new FailureDetectorSettings();
        var fd = new PhiAccrualFailureDetector(clock, settings, settings.HeartbeatInterval);
        for (int i = 0; i < count; i++)
        {
            fd.Heartbeat();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        clock.Advance(TimeSpan.FromSeconds(-1));
        return (fd, clock);
    }

    [Fact]
    public void Phi_BeforeFirstHeartbeat_IsZeroAndAvailable()
    {
        var fd = new PhiAccrualFailureDetector(new FakeClock(), new FailureDetectorSettings(), TimeSpan.FromSeconds(1));

        Assert.Equal(0.0, fd.Phi);
        Assert.True(fd.IsAvailable);
        Assert.False(fd.IsMonitoring);
    }

    [Fact]
    public void Phi_Silence_GrowsMonotonically()
    {
        (PhiAccrualFailureDetector fd, FakeClock clock) = RegularHeartbeats(20);
        double previous = fd.Phi;
        for (int i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            double phi = fd.Phi;
            Assert.True(phi >= previous, $"phi fell from {previous} to {phi}");
            previous = phi;
        }

        Assert.True(previous > 8.0);
    }

    [Fact]
    public void IsAvailable_RegularOneSecondHeartbeats_CrossesThresholdAfterAboutFourAndAHalfSeconds()
    {
        // With a full window of 1 s intervals the deviation is the 100 ms floor and the mean is
        // 1 s + 3 s pause, so phi reaches 8 about 5.2 deviations past 4 s, i.e. near 4.52 s.
        (PhiAccrualFailureDetector fd, FakeClock clock) = RegularHeartbeats(1100);

        clock.Advance(TimeSpan.FromMilliseconds(4400));
        Assert.True(fd.IsAvailable, $"phi {fd.Phi} at 4.4 s");
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(fd.IsAvailable, $"phi {fd.Phi} at 4.7 s");
    }

    [Fact]
    public void Heartbeat_AfterSilence_MakesAvailableAgain()
    {
        (PhiAccrualFailureDetector fd, FakeClock clock) = RegularHeartbeats(10);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(fd.IsAvailable);

        fd.Heartbeat();

        Assert.True(fd.IsAvailable);
    }
}
