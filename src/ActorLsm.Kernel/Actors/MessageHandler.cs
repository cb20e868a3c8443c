namespace ActorLsm.Kernel;

/// <summary>
/// A behavior: handles one message and returns true, or returns false to route it to
/// <c>ActorBase.Unhandled</c>. Used by <see cref="IActorContext.Become"/>; Akka.NET calls it <c>Receive</c>.
/// </summary>
public delegate bool MessageHandler(object message);
