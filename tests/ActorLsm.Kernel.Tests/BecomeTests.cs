using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class BecomeTests : TestKit
{
    [Fact]
    public async Task Become_ContextHandler_SwitchesBehaviorUntilUnbecome()
    {
        var actor = ActorOf(Props.Create(() => new MoodActor()));

        Assert.Equal("happy", await actor.Ask<string>("mood?", TimeSpan.FromSeconds(5)));
        actor.Tell("sad");
        Assert.Equal("sad", await actor.Ask<string>("mood?", TimeSpan.FromSeconds(5)));
        actor.Tell("unbecome");
        Assert.Equal("happy", await actor.Ask<string>("mood?", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task BecomeStacked_ReceiveActor_UnbecomeReturnsToPrevious()
    {
        var actor = ActorOf(Props.Create(() => new CounterModes()));

        actor.Tell("push-a");
        actor.Tell("push-b");
        Assert.Equal("b", await actor.Ask<string>("who", TimeSpan.FromSeconds(5)));
        actor.Tell("pop");
        Assert.Equal("a", await actor.Ask<string>("who", TimeSpan.FromSeconds(5)));
        actor.Tell("pop");
        Assert.Equal("initial", await actor.Ask<string>("who", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Become_AfterRestart_InitialBehaviorRestored()
    {
        var actor = ActorOf(Props.Create(() => new MoodActor()));
        actor.Tell("sad");
        Assert.Equal("sad", await actor.Ask<string>("mood?", TimeSpan.FromSeconds(5)));

        actor.Tell(new Boom("reset"));

        Assert.Equal("happy", await actor.Ask<string>("mood?", TimeSpan.FromSeconds(5)));
    }

    private sealed class MoodActor : ActorBase
    {
        protected override bool Receive(object message)
        {
            switch (message)
            {
                case "mood?":
                    Sender.Tell("happy", Self);
                    return true;
                case "sad":
                    Context.Become(Sad);
                    return true;
                default:
                    return false;
            }
        }

        private bool Sad(object message)
        {
            switch (message)
            {
                case "mood?":
                    Sender.Tell("sad", Self);
                    return true;
                case "unbecome":
                    Context.Unbecome();
                    return true;
                case Boom b:
                    throw b.Error;
                default:
                    return false;
            }
        }
    }

    private sealed class CounterModes : ReceiveActor
    {
        public CounterModes()
        {
            Receive<string>(_ => Sender.Tell("initial", Self), s => s == "who");
            Receive<string>(_ => BecomeStacked(() => Mode("a")), s => s == "push-a");
        }

        private void Mode(string name)
        {
            Receive<string>(_ => Sender.Tell(name, Self), s => s == "who");
            Receive<string>(_ => BecomeStacked(() => Mode("b")), s => s == "push-b");
            Receive<string>(_ => UnbecomeStacked(), s => s == "pop");
        }
    }
}
