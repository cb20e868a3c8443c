using System.Diagnostics;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// Connects an <see cref="ActorSystem"/> to other nodes through an <see cref="ITransport"/> (Akka's
/// remote actor-ref provider). Outbound, <see cref="RemoteActorRef"/>s serialize through the
/// <see cref="MessageRegistry"/> into <see cref="RemoteEnvelope"/>s; inbound, envelopes are parsed,
/// their recipient resolved with <see cref="ActorSystem.TryResolve(ActorPath, out IActorRef?)"/> (dead
/// letters when nobody lives there) and told with a Sender that is a <see cref="RemoteActorRef"/> to
/// the sending incarnation. An envelope addressed to another incarnation of this node (a message for
/// the node before it restarted) is dropped. Delivery is at most once, in order per pair of nodes.
/// </summary>
public sealed class RemoteSystem : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ITransport _transport;
    private readonly MessageRegistry _registry;
    private readonly ILogger _log;
    private readonly Listener _listener;
    private long _sent;
    private long _received;
    private long _dropped;
    private int _disposed;

    private RemoteSystem(ActorSystem system, ITransport transport, MessageRegistry registry, ulong uid)
    {
        _system = system;
        _transport = transport;
        _registry = registry;
        _log = system.LoggerFactory.CreateLogger("ActorLsm.Cluster.Remoting");
        _listener = new Listener(this);
        Uid = uid;
        SelfAddress = new UniqueAddress(new NodeAddress("0.0.0.0", 0), uid);
    }

    /// <summary>This node's incarnation: the transport's bound address and a fresh random uid.</summary>
    public UniqueAddress SelfAddress { get; private set; }

    /// <summary>The local actor system.</summary>
    public ActorSystem System => _system;

    /// <summary>The message types this node can send and receive.</summary>
    public MessageRegistry Registry => _registry;

    /// <summary>Envelopes handed to the transport (and local loop-backs through a remote ref).</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    /// <summary>Envelopes received from the transport.</summary>
    public long ReceivedCount => Interlocked.Read(ref _received);

    /// <summary>Messages dropped: full outbound queue, unknown type, or addressed to another incarnation.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Raised (on a transport thread; must not block) when a connection to a peer incarnation completed its handshake.</summary>
    public event Action<UniqueAddress>? Associated;

    /// <summary>Raised (on a transport thread; must not block) when the last connection to a peer incarnation closed.</summary>
    public event Action<UniqueAddress>? Disassociated;

    private ulong Uid { get; }

    /// <summary>
    /// Starts <paramref name="transport"/> with a new incarnation uid and returns the running remoting.
    /// The transport advertises its own bound address (a configured port 0 is resolved by it).
    /// </summary>
    public static async Task<RemoteSystem> StartAsync(ActorSystem system, ITransport transport, MessageRegistry registry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(registry);
        var provisional = UniqueAddress.NewIncarnation(new NodeAddress("0.0.0.0", 0));
        var remote = new RemoteSystem(system, transport, registry, provisional.Uid);
        await transport.StartAsync(provisional, remote._listener, ct).ConfigureAwait(false);
        remote.SelfAddress = new UniqueAddress(transport.LocalAddress, provisional.Uid);
        remote.AssertInvariants();
        return remote;
    }

    /// <summary>
    /// A ref to <paramref name="path"/> (absolute, e.g. <c>/user/membership</c>) on <paramref name="node"/>;
    /// <paramref name="uid"/> 0 means whichever incarnation runs there. Throws <see cref="FormatException"/> for a bad path.
    /// A ref to this node's own address delivers locally.
    /// </summary>
    public IActorRef RefFor(NodeAddress node, string path, ulong uid = 0)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new RemoteActorRef(this, node, uid, ActorPath.Parse(path));
    }

    /// <summary>As <see cref="RefFor(NodeAddress, string, ulong)"/> for one incarnation.</summary>
    public IActorRef RefFor(UniqueAddress node, string path)
    {
        ArgumentNullException.ThrowIfNull(node);
        return RefFor(node.Address, path, node.Uid);
    }

    /// <summary>Stops the transport; later sends are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    // REQUIRES: message is not null; any thread.
    internal void SendTo(RemoteActorRef target, object message, IActorRef? sender)
    {
        (string type, ByteString payload) = _registry.Serialize(message); // throws for unregistered types
        if (target.Address.Equals(SelfAddress.Address))
        {
            Interlocked.Increment(ref _sent);
            DeliverLocal(target.Uid, target.Path, message, sender);
            return;
        }

        var envelope = new RemoteEnvelope
        {
            RecipientPath = target.Path.ToString(),
            RecipientUid = target.Uid,
            Type = type,
            Payload = payload,
        };
        switch (sender)
        {
            case null:
                break;
            case RemoteActorRef remoteSender:
                envelope.SenderNode = ToWire(new UniqueAddress(remoteSender.Address, remoteSender.Uid));
                envelope.SenderPath = remoteSender.Path.ToString();
                break;
            default:
                if (!ReferenceEquals(sender, _system.DeadLetters))
                {
                    envelope.SenderNode = ToWire(SelfAddress);
                    envelope.SenderPath = sender.Path.ToString();
                }

                break;
        }

        if (Volatile.Read(ref _disposed) != 0 || !_transport.TrySend(target.Address, envelope))
        {
            Interlocked.Increment(ref _dropped);
            _log.LogDebug("Dropped {Type} to {Target}: outbound queue full or remoting stopped", type, target);
            return;
        }

        Interlocked.Increment(ref _sent);
    }

    /// <summary>The wire form of <paramref name="address"/>.</summary>
    internal static UniqueAddressMsg ToWire(UniqueAddress address) =>
        new() { Host = address.Address.Host, Port = (uint)address.Address.Port, Uid = address.Uid };

    /// <summary>The <see cref="UniqueAddress"/> of <paramref name="msg"/>.</summary>
    internal static UniqueAddress FromWire(UniqueAddressMsg msg) => new(new NodeAddress(msg.Host, (int)msg.Port), msg.Uid);

    // REQUIRES: called by the transport listener; must not block.
    private void OnEnvelope(RemoteEnvelope envelope)
    {
        Interlocked.Increment(ref _received);
        if (!_registry.TryDeserialize(envelope.Type, envelope.Payload, out IMessage? message))
        {
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("Dropped a message of unknown type '{Type}' for {Recipient}", envelope.Type, envelope.RecipientPath);
            return;
        }

        if (!ActorPath.TryParse(envelope.RecipientPath, out ActorPath? path))
        {
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("Dropped {Type}: bad recipient path '{Recipient}'", envelope.Type, envelope.RecipientPath);
            return;
        }

        IActorRef? sender = null;
        if (envelope.SenderNode is { } senderNode && envelope.SenderPath.Length > 0 && ActorPath.TryParse(envelope.SenderPath, out ActorPath? senderPath))
        {
            UniqueAddress from = FromWire(senderNode);
            sender = from.Equals(SelfAddress) && _system.TryResolve(senderPath, out IActorRef? local)
                ? local
                : new RemoteActorRef(this, from.Address, from.Uid, senderPath);
        }

        DeliverLocal(envelope.RecipientUid, path, message, sender);
    }

    // REQUIRES: message is not null; any thread.
    private void DeliverLocal(ulong recipientUid, ActorPath path, object message, IActorRef? sender)
    {
        if (recipientUid != 0 && recipientUid != Uid)
        {
            Interlocked.Increment(ref _dropped);
            _log.LogDebug("Dropped {Type} for {Path}: addressed to incarnation {Uid}, this is {Self}", message.GetType().Name, path, recipientUid, SelfAddress);
            return;
        }

        if (!_system.TryResolve(path, out IActorRef? recipient))
        {
            _system.DeadLetters.Tell(new DeadLetter(message, sender, new RemoteActorRef(this, SelfAddress.Address, Uid, path), DeadLetterReason.RecipientStopped));
            return;
        }

        try
        {
            recipient.Tell(message, sender);
        }
        catch (MailboxFullException)
        {
            Interlocked.Increment(ref _dropped); // a Fail-policy mailbox: the network path never throws
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(SelfAddress.Uid == Uid && Uid != 0, "the incarnation uid is fixed and non-zero");
    }

    private sealed class Listener(RemoteSystem owner) : ITransportListener
    {
        public void OnEnvelope(UniqueAddress from, RemoteEnvelope envelope) => owner.OnEnvelope(envelope);

        public void OnAssociated(UniqueAddress peer) => owner.Associated?.Invoke(peer);

        public void OnDisassociated(UniqueAddress peer) => owner.Disassociated?.Invoke(peer);
    }
}
