using System.Text;
using ActorLsm.Protocol;
using ActorLsm.Resp.Commands;
using ActorLsm.Resp.Coordination;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Tests;

public sealed class CoordinatorTests
{
    private static readonly byte[] s_key = Encoding.UTF8.GetBytes("counter");
    private static readonly int s_slot = KeySlot.Of(s_key);

    private static Task<RespValue> Incr(SlotWriteCoordinator c) =>
        c.ExecuteAsync(s_slot, [s_key], v => StringCommands.Add(s_key, v[0], 1));

    [Fact]
    public async Task ExecuteAsync_ConcurrentIncrements_NoneLost()
    {
        var backend = new InMemoryBackend();
        var coordinator = new SlotWriteCoordinator(backend);

        RespValue[] replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(_ => Task.Run(() => Incr(coordinator))));

        Assert.Equal("2000", Encoding.UTF8.GetString((await backend.GetAsync(s_key, default))!));
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), replies.Select(r => r.Integer).Order());
        Assert.Equal(0, coordinator.ActiveSlots);
    }

    [Fact]
    public async Task ExecuteAsync_IncrementsOnAWriteInFlight_JoinOneBatchAfterIt()
    {
        var backend = new InMemoryBackend { HoldWrites = true };
        var coordinator = new SlotWriteCoordinator(backend);
        Task<RespValue> first = Incr(coordinator);
        await WaitUntil(() => backend.Writes == 1);

        Task<RespValue>[] rest = [.. Enumerable.Range(0, 10).Select(_ => Incr(coordinator))];
        Assert.DoesNotContain(rest, t => t.IsCompleted);
        Assert.Equal(1, backend.Writes);

        backend.HoldWrites = false;
        backend.Release();
        RespValue[] replies = await Task.WhenAll(rest);

        Assert.Equal(1, (await first).Integer);
        Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), replies.Select(r => r.Integer));
        Assert.Equal(2, backend.Writes);
        Assert.Equal("11", Encoding.UTF8.GetString((await backend.GetAsync(s_key, default))!));
    }

    [Fact]
    public async Task ExecuteAsync_EarlierWriteFails_DependentIncrementFailsAndNothingOfItIsWritten()
    {
        var backend = new InMemoryBackend { HoldWrites = true };
        var coordinator = new SlotWriteCoordinator(backend);
        Task<RespValue> first = Incr(coordinator);
        await WaitUntil(() => backend.Writes == 1);
        Task<RespValue> dependent = Incr(coordinator);

        backend.FailNext();
        backend.HoldWrites = false;
        backend.Release();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => dependent);
        Assert.Null(await backend.GetAsync(s_key, default));
        Assert.Equal(1, (await Incr(coordinator)).Integer);
    }

    [Fact]
    public async Task ExclusiveAsync_WriteInFlight_StartsAfterItIsDurableAndLaterCommandsWaitForIt()
    {
        var backend = new InMemoryBackend { HoldWrites = true };
        var coordinator = new SlotWriteCoordinator(backend);
        Task<RespValue> first = Incr(coordinator);
        await WaitUntil(() => backend.Writes == 1);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource<RespValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? seen = null;
        Task<RespValue> exclusive = coordinator.ExclusiveAsync(s_slot, async () =>
        {
            seen = Encoding.UTF8.GetString((await backend.GetAsync(s_key, default))!);
            started.SetResult();
            return await finish.Task;
        });
        Task<RespValue> later = Incr(coordinator);
        Assert.False(started.Task.IsCompleted);

        backend.HoldWrites = false;
        backend.Release();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("1", seen);
        Assert.False(later.IsCompleted);
        Assert.Equal(1, backend.Writes);

        finish.SetResult(RespValue.Ok);
        Assert.Equal(RespValue.Ok.Kind, (await exclusive).Kind);
        Assert.Equal(2, (await later).Integer);
        Assert.Equal(1, (await first).Integer);
        Assert.Equal(0, coordinator.ActiveSlots);
    }

    [Fact]
    public async Task ExclusiveAsync_ActionFails_FailsAloneAndTheSlotCarriesOn()
    {
        var backend = new InMemoryBackend();
        var coordinator = new SlotWriteCoordinator(backend);

        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.ExclusiveAsync(s_slot, () => throw new InvalidOperationException("no")));

        Assert.Equal(1, (await Incr(coordinator)).Integer);
        Assert.Equal(0, coordinator.ActiveSlots);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Yield();
        }
    }
}
