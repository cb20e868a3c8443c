using ActorLsm.Hosting;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorLsm.Samples.Cart;

/// <summary>The sample application: a Generic Host with Akka.Hosting, the store embedded (single node) and the carts actor.</summary>
public static class CartApp
{
    /// <summary>The host builder: actor system "shop", the store's shards in <paramref name="dataDirectory"/>, the carts actor at <c>/user/carts</c>.</summary>
    public static HostApplicationBuilder CreateBuilder(string dataDirectory, string[]? args = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args ?? []);
        builder.Services.AddAkka("shop", (akka, _) => akka
            .WithActorLsm(options =>
            {
                options.DataDirectory = dataDirectory;
                options.ShardCount = 4;
            })
            .WithActors((system, registry, resolver) =>
            {
                // WithActorLsm registered the router before this runs; the carts get it through IRequiredActor<ActorLsmRouter>.
                IActorRef carts = system.ActorOf(resolver.Props<CartsActor>(), "carts");
                registry.Register<CartsActor>(carts);
            }));
        builder.Services.AddActorLsmClient();
        return builder;
    }

    /// <summary>Adds <paramref name="item"/> to <paramref name="cartId"/> through the carts actor; the cart's items once stored.</summary>
    public static async Task<IReadOnlyList<string>> AddItemAsync(IServiceProvider services, string cartId, string item, CancellationToken cancellationToken = default)
    {
        IActorRef carts = await services.GetRequiredService<ActorRegistry>().GetAsync<CartsActor>(cancellationToken);
        object reply = await carts.Ask<object>(new AddItem(cartId, item), TimeSpan.FromSeconds(30), cancellationToken);
        return reply switch
        {
            CartContents c => c.Items,
            CartFailed f => throw new InvalidOperationException(f.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>The items of <paramref name="cartId"/>.</summary>
    public static async Task<IReadOnlyList<string>> GetCartAsync(IServiceProvider services, string cartId, CancellationToken cancellationToken = default)
    {
        IActorRef carts = await services.GetRequiredService<ActorRegistry>().GetAsync<CartsActor>(cancellationToken);
        return (await carts.Ask<CartContents>(new GetCart(cartId), TimeSpan.FromSeconds(30), cancellationToken)).Items;
    }
}
