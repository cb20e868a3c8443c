namespace ActorLsm.Kernel;

/// <summary>A user message with its sender, as queued in a mailbox.</summary>
internal readonly record struct Envelope(object Message, IActorRef? Sender);
