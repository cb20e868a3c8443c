using System.Globalization;
using ActorLsm.Samples.Account;
using Microsoft.Extensions.Hosting;

// dotnet run --project samples/ActorLsm.Samples.Account -- COMMAND [--data-dir DIR] [--count N] [--port P --seeds P1,P2,P3]
//   deposit: deposits 1 cent at a time, numbering deposits on from the recovered state, and prints
//            "acknowledged N balance B" after each is stored (forever, or --count times);
//   show:    prints the recovered state ("account 42: deposits=.. last=.. contiguous=.. balance=..") and the
//            number of tagged events the read journal finds.
// Embedded (the default): the journal is a local store in --data-dir. With --port (cluster mode) the process is
// a member of a three-member cluster on 127.0.0.1 that holds the store, and the journal is replicated.
string command = args.Length > 0 ? args[0] : "show";
string dataDirectory = "data/account";
long count = long.MaxValue;
int? port = null;
int[]? seeds = null;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data-dir": dataDirectory = args[++i]; break;
        case "--count": count = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seeds": seeds = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument {args[i]}");
            return 2;
    }
}

using IHost host = AccountApp.CreateBuilder(new AccountAppOptions(dataDirectory, port, seeds)).Build();
await host.StartAsync();
AccountState state = await AccountApp.GetAsync(host.Services);
Console.WriteLine($"account {state.AccountId}: deposits={state.Deposits} last={state.LastDepositId} contiguous={state.Contiguous} balance={state.Balance}");
switch (command)
{
    case "deposit":
        for (long n = 1; n <= count; n++)
        {
            long id = state.LastDepositId + n;
            DepositAccepted accepted = await AccountApp.DepositAsync(host.Services, id, 1);
            Console.WriteLine($"acknowledged {accepted.DepositId} balance {accepted.Balance}");
        }

        break;
    case "show":
        Console.WriteLine($"tagged deposits: {await AccountApp.CountTaggedDepositsAsync(host.Services)}");
        break;
    default:
        await Console.Error.WriteLineAsync($"unknown command {command} (deposit, show)");
        return 2;
}

await host.StopAsync();
return 0;
