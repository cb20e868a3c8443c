using System.Globalization;
using ActorLsm.Samples.Account;
using Microsoft.Extensions.Hosting;

// dotnet run --project samples/ActorLsm.Samples.Account -- COMMAND [--count N] [--port P --seeds P1,P2,P3]
//                                                               [--config hosting|hocon] [--extra-hocon TEXT]
//   deposit: deposits 1 cent at a time, numbering deposits on from the recovered state, and prints
//            "acknowledged N balance B" after each is stored (forever, or --count times);
//   show:    prints the recovered state ("account 42: deposits=.. last=.. contiguous=.. balance=..") and the
//            number of tagged events the read journal finds;
//   serve:   cluster mode: a member that holds the store and serves until it is stopped (Ctrl+C).
// Data lives under the working directory. Embedded (the default): the journal is a local store in
// data/journal. With --port (cluster mode) the process is a member of a three-member cluster on 127.0.0.1
// whose members hold the store (data/actorlsm), and the journal is replicated. --config hocon configures the
// plugins with the README's HOCON instead of WithActorLsmPersistence.
string command = args.Length > 0 ? args[0] : "show";
long count = long.MaxValue;
int? port = null;
int[]? seeds = null;
AccountConfigStyle style = AccountConfigStyle.Hosting;
string? extraHocon = null;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--count": count = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seeds": seeds = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
        case "--config": style = args[++i] == "hocon" ? AccountConfigStyle.Hocon : AccountConfigStyle.Hosting; break;
        case "--extra-hocon": extraHocon = args[++i]; break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument {args[i]}");
            return 2;
    }
}

if (command is not ("deposit" or "show" or "serve"))
{
    await Console.Error.WriteLineAsync($"unknown command {command} (deposit, show, serve)");
    return 2;
}

using IHost host = AccountApp.CreateBuilder(new AccountAppOptions(port, seeds, style, extraHocon)).Build();
await host.StartAsync();
if (command == "serve")
{
    Console.WriteLine("serving");
    await host.WaitForShutdownAsync();
    return 0;
}

await AccountApp.StartAccountAsync(host.Services);
AccountState state = await AccountApp.GetAsync(host.Services);
Console.WriteLine($"account {state.AccountId}: deposits={state.Deposits} last={state.LastDepositId} contiguous={state.Contiguous} balance={state.Balance}");
if (command == "deposit")
{
    for (long n = 1; n <= count; n++)
    {
        long id = state.LastDepositId + n;
        DepositAccepted accepted = await AccountApp.DepositAsync(host.Services, id, 1);
        Console.WriteLine($"acknowledged {accepted.DepositId} balance {accepted.Balance}");
    }
}
else
{
    Console.WriteLine($"tagged deposits: {await AccountApp.CountTaggedDepositsAsync(host.Services)}");
}

await host.StopAsync();
return 0;
