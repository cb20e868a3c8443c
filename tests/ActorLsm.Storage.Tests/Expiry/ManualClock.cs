namespace ActorLsm.Storage.Tests.Expiry;

/// <summary>A clock tests move by hand: <see cref="TimeProvider.GetUtcNow"/> returns <see cref="Now"/>.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public ManualClock(DateTimeOffset start) => _ticks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => Now;
}
