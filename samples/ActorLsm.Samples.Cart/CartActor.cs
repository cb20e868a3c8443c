using System.Text;
using ActorLsm.Hosting;
using ActorLsm.Messages;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;

namespace ActorLsm.Samples.Cart;

/// <summary>Adds <paramref name="Item"/> to cart <paramref name="CartId"/>. Reply: <see cref="CartContents"/> once stored, or <see cref="CartFailed"/>.</summary>
public sealed record AddItem(string CartId, string Item);

/// <summary>Asks for cart <paramref name="CartId"/>. Reply: <see cref="CartContents"/>.</summary>
public sealed record GetCart(string CartId);

/// <summary>The items of a cart, in the order added.</summary>
public sealed record CartContents(string CartId, IReadOnlyList<string> Items);

/// <summary>The store refused a write (its <see cref="ActorLsmError"/>'s code and message).</summary>
public sealed record CartFailed(string CartId, string Reason);

/// <summary>
/// The carts: one <see cref="CartActor"/> child per cart id, created on first use. Gets the store's
/// router from Akka.Hosting (<see cref="IRequiredActor{TActor}"/> of <see cref="ActorLsmRouter"/>).
/// </summary>
public sealed class CartsActor : ReceiveActor
{
    private readonly IActorRef _router;

    /// <summary>Created by Akka.DependencyInjection with the router from the registry.</summary>
    public CartsActor(IRequiredActor<ActorLsmRouter> router)
    {
        _router = router.ActorRef;
        Receive<AddItem>(m => CartOf(m.CartId).Forward(m));
        Receive<GetCart>(m => CartOf(m.CartId).Forward(m));
    }

    private IActorRef CartOf(string cartId)
    {
        string name = Uri.EscapeDataString(cartId);
        IActorRef child = Context.Child(name);
        return child.IsNobody() ? Context.ActorOf(CartActor.Props(cartId, _router), name) : child;
    }
}

/// <summary>
/// One cart. Loads its items from the store on start (Tell <see cref="Messages.Get"/>, handle <see cref="GetResult"/>),
/// then on each <see cref="AddItem"/> Tells <see cref="Put"/> with the new list and answers once the
/// <see cref="PutResult"/> arrives. Commands that arrive while it loads or saves are stashed, so writes
/// of one cart never overlap. Stored as UTF-8, one item per line, under <c>cart:ID</c>.
/// </summary>
public sealed class CartActor : ReceiveActor, IWithStash
{
    private readonly string _cartId;
    private readonly IActorRef _router;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private List<string> _items = [];

    public CartActor(string cartId, IActorRef router)
    {
        _cartId = cartId;
        _router = router;
        Loading();
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>The store key of cart <paramref name="cartId"/>.</summary>
    public static byte[] KeyOf(string cartId) => Encoding.UTF8.GetBytes("cart:" + cartId);

    /// <summary>The items stored in <paramref name="value"/> (null: an empty cart).</summary>
    public static List<string> Decode(byte[]? value) =>
        value is null || value.Length == 0 ? [] : [.. Encoding.UTF8.GetString(value).Split('\n')];

    public static Props Props(string cartId, IActorRef router) => Akka.Actor.Props.Create(() => new CartActor(cartId, router));

    protected override void PreStart() => _router.Tell(new Messages.Get(KeyOf(_cartId)));

    private void Loading()
    {
        Receive<GetResult>(r =>
        {
            _items = Decode(r.Value);
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<ActorLsmError>(e => throw new InvalidOperationException($"cart {_cartId} could not be loaded: {e.Code} {e.Message}")); // restart reloads
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<GetCart>(_ => Sender.Tell(new CartContents(_cartId, _items.ToArray())));
        Receive<AddItem>(m =>
        {
            List<string> next = [.. _items, m.Item];
            _router.Tell(new Put(KeyOf(_cartId), Encoding.UTF8.GetBytes(string.Join('\n', next))));
            Become(() => Saving(next, Sender));
        });
    }

    private void Saving(List<string> next, IActorRef replyTo)
    {
        Receive<PutResult>(_ =>
        {
            _items = next;
            replyTo.Tell(new CartContents(_cartId, _items.ToArray()));
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<ActorLsmError>(e =>
        {
            _log.Warning("cart {0}: the store refused the write: {1} {2}", _cartId, e.Code, e.Message);
            replyTo.Tell(new CartFailed(_cartId, $"{e.Code}: {e.Message}"));
            Become(Ready);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }
}
