using ActorLsm.Samples.Cart;
using Microsoft.Extensions.Hosting;

// dotnet run --project samples/ActorLsm.Samples.Cart [data-dir]: adds two items to cart 42, prints the cart
// (which grows on each run: it is stored), and exits.
string dataDirectory = args.Length > 0 ? args[0] : "data/actorlsm";
using IHost host = CartApp.CreateBuilder(dataDirectory).Build();
await host.StartAsync();
await CartApp.AddItemAsync(host.Services, "42", "apple");
IReadOnlyList<string> items = await CartApp.AddItemAsync(host.Services, "42", "pear");
Console.WriteLine($"cart 42: {string.Join(", ", items)}");
await host.StopAsync();
