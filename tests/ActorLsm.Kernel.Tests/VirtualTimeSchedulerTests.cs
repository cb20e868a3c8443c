using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class VirtualTimeSchedulerTests
{
    [Fact]
    public void Advance_DueActions_RunInDueOrderAtTheirDueTime()
    {
        var scheduler = new VirtualTimeScheduler();
        var log = new List<string>();
        scheduler.ScheduleOnce(TimeSpan.FromSeconds(3), () => log.Add($"c@{scheduler.Elapsed.TotalSeconds}"));
        scheduler.ScheduleOnce(TimeSpan.FromSeconds(1), () => log.Add($"a@{scheduler.Elapsed.TotalSeconds}"));
        scheduler.ScheduleOnce(TimeSpan.FromSeconds(1), () => log.Add($"b@{scheduler.Elapsed.TotalSeconds}"));

        scheduler.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["a@1", "b@1"], log);
        scheduler.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["a@1", "b@1", "c@3"], log);
        Assert.Equal(TimeSpan.FromSeconds(3), scheduler.Elapsed);
    }

    [Fact]
    public void ScheduleRepeatedly_AdvanceAcrossManyPeriods_RunsOncePerPeriod()
    {
        var scheduler = new VirtualTimeScheduler();
        var runs = 0;
        var handle = scheduler.ScheduleRepeatedly(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), () => runs++);

        scheduler.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(10, runs);
        handle.Cancel();
        scheduler.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(10, runs);
        Assert.Equal(0, scheduler.PendingCount);
    }

    [Fact]
    public async Task WaitForPendingAsync_ActionScheduledLater_Completes()
    {
        var scheduler = new VirtualTimeScheduler();
        var waiting = scheduler.WaitForPendingAsync(1, TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);

        scheduler.ScheduleOnce(TimeSpan.FromSeconds(1), () => { });

        await waiting;
        Assert.Equal(1, scheduler.PendingCount);
    }
}
