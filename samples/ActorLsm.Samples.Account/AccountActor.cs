using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorLsm.Samples.Account;

/// <summary>Deposit <paramref name="Amount"/> (cents) as deposit number <paramref name="DepositId"/>. Reply: <see cref="DepositAccepted"/> once stored (none when the write fails: Akka stops the actor, and the next command restarts it with a replay).</summary>
public sealed record Deposit(long DepositId, long Amount);

/// <summary>Deposit <paramref name="DepositId"/> is stored: it survives a crash from now on.</summary>
public sealed record DepositAccepted(long DepositId, long Balance);

/// <summary>Asks for the account's state. Reply: <see cref="AccountState"/>.</summary>
public sealed record GetAccount
{
    /// <summary>The only instance.</summary>
    public static GetAccount Instance { get; } = new();
}

/// <summary>
/// The state rebuilt from the events: <paramref name="Deposits"/> events applied, the last deposit id,
/// whether deposit ids ran 1, 2, 3, ... without a gap, and the balance in cents.
/// </summary>
public sealed record AccountState(string AccountId, long Deposits, long LastDepositId, bool Contiguous, long Balance);

/// <summary>The event: deposit <paramref name="DepositId"/> of <paramref name="Amount"/> cents was made.</summary>
public sealed record Deposited(long DepositId, long Amount);

/// <summary>
/// An event-sourced account (Akka.Persistence): each <see cref="Deposit"/> is persisted as a
/// <see cref="Deposited"/> event (tagged <c>deposits</c> for the read journal) and acknowledged only after
/// the journal stored it; on start the actor replays its events. Deposits are numbered by the caller, so a
/// replay can check that no acknowledged deposit is missing (<see cref="AccountState.Contiguous"/>).
/// </summary>
public sealed class AccountActor : ReceivePersistentActor
{
    /// <summary>The tag of every <see cref="Deposited"/> event.</summary>
    public const string DepositsTag = "deposits";

    private static readonly string[] s_tags = [DepositsTag];
    private long _deposits;
    private long _lastDepositId;
    private long _balance;
    private bool _contiguous = true;

    public AccountActor(string accountId)
    {
        AccountId = accountId;
        PersistenceId = "account-" + accountId;
        Recover<Deposited>(Apply);
        Command<Deposit>(d =>
        {
            var deposited = new Deposited(d.DepositId, d.Amount);
            Persist(new Tagged(deposited, s_tags), _ =>
            {
                Apply(deposited);
                Sender.Tell(new DepositAccepted(d.DepositId, _balance));
            });
        });
        Command<GetAccount>(_ => Sender.Tell(new AccountState(AccountId, _deposits, _lastDepositId, _contiguous, _balance)));
    }

    /// <summary>The account's id.</summary>
    public string AccountId { get; }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    public static Props Props(string accountId) => Akka.Actor.Props.Create(() => new AccountActor(accountId));

    private void Apply(Deposited e)
    {
        _contiguous &= e.DepositId == _lastDepositId + 1;
        _deposits++;
        _lastDepositId = e.DepositId;
        _balance += e.Amount;
    }
}
