using ActorLsm.Kernel.Testing;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel.Tests;

public sealed class CrashSafetyTests() : TestKit(new ActorSystemOptions { LoggerFactory = new CapturingLoggerFactory() })
{
    private CapturingLoggerFactory Logs => (CapturingLoggerFactory)Sys.LoggerFactory;

    [Fact]
    public async Task Exception_InTopLevelActor_LoggedAndActorRestarted()
    {
        var worker = ActorOf(Props.Create(() => new Worker(TestActor)), "fragile");
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");

        worker.Tell(new Boom("logged failure"));

        await FishForMessageAsync<PostRestarted>(_ => true);
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error && e.Exception?.Message == "logged failure" && e.Text.Contains("/user/fragile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exceptions_InEveryHook_NeverCrashTheProcessAndSystemKeepsWorking()
    {
        foreach (var where in new[] { "ctor", "preStart", "receive", "async", "postStop", "preRestart" })
        {
            var actor = ActorOf(Props.Create(() => new ThrowingActor(where)));
            actor.Tell("poke");
            actor.Tell("poke");
            Watch(actor);
            Sys.Stop(actor);
            await ExpectTerminatedAsync(actor);
        }

        var echo = ActorOf(Props.Create(() => new EchoActor()));
        Assert.Equal("alive", await echo.Ask<string>("alive", TimeSpan.FromSeconds(5)));
        Assert.False(Sys.WhenTerminated.IsCompleted);
        Assert.Contains(Logs.Entries, e => e.Text.Contains("PostStop", StringComparison.Ordinal));
    }

    private sealed class ThrowingActor : ReceiveActor
    {
        private readonly string _where;

        public ThrowingActor(string where)
        {
            _where = where;
            Fail("ctor");
            Receive<string>(_ => Fail("receive"), _ => where != "async");
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                Fail("async");
            });
        }

        protected override void PreStart() => Fail("preStart");

        protected override void PostStop() => Fail("postStop");

        protected override void PreRestart(Exception reason, object? message) => Fail("preRestart");

        private void Fail(string hook)
        {
            if (_where == hook || (_where == "preRestart" && hook == "receive"))
            {
                throw new InvalidOperationException($"thrown in {hook}");
            }
        }
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        private readonly List<(LogLevel Level, Exception? Exception, string Text)> _entries = [];

        public IReadOnlyList<(LogLevel Level, Exception? Exception, string Text)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._entries)
                {
                    owner._entries.Add((logLevel, exception, formatter(state, exception)));
                }
            }
        }
    }
}
