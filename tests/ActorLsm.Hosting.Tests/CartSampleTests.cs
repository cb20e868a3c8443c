using System.Text;
using ActorLsm.Samples.Cart;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorLsm.Hosting.Tests;

/// <summary>The cart sample runs in-process: its cart actor stores through the router, and the state survives a restart.</summary>
public sealed class CartSampleTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CartApp_AddItemsThenRestart_CartIsStoredAndReloaded()
    {
        using (IHost host = CartApp.CreateBuilder(_dir.Path).Build())
        {
            await host.StartAsync();
            await CartApp.AddItemAsync(host.Services, "42", "apple");
            IReadOnlyList<string> items = await CartApp.AddItemAsync(host.Services, "42", "pear");
            Assert.Equal(["apple", "pear"], items);

            // What the cart actor stored, read back through IActorLsm.
            byte[]? stored = await host.Services.GetRequiredService<IActorLsm>().GetAsync(CartActor.KeyOf("42"));
            Assert.Equal("apple\npear", Encoding.UTF8.GetString(stored ?? []));
            await host.StopAsync();
        }

        using (IHost host = CartApp.CreateBuilder(_dir.Path).Build())
        {
            await host.StartAsync();
            Assert.Equal(["apple", "pear"], await CartApp.GetCartAsync(host.Services, "42"));
            Assert.Empty(await CartApp.GetCartAsync(host.Services, "7"));
            await host.StopAsync();
        }
    }
}
