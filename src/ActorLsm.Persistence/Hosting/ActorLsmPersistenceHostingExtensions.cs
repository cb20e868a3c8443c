using System.Globalization;
using System.Text;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Hosting;

namespace ActorLsm.Persistence.Hosting;

/// <summary>
/// Akka.Hosting set-up of the ActorLsm journal, snapshot store and read journal, in the shape of
/// Akka.Persistence.Sql.Hosting's <c>WithSqlPersistence</c>:
/// <code>
/// builder.Services.AddAkka("shop", (akka, sp) => akka
///     .WithActorLsmPersistence(ActorLsmStoreMode.Embedded, dataDirectory: "data/journal"));
///
/// // or on the application's replicated store (the member also runs WithActorLsm or WithActorLsmProxy):
///     .WithClustering(...).WithActorLsm(o => o.DataDirectory = "data/actorlsm")
///     .WithActorLsmPersistence(ActorLsmStoreMode.Cluster);
/// </code>
/// Event adapters: HOCON <c>event-adapters</c> / <c>event-adapter-bindings</c> under
/// <c>akka.persistence.journal.{id}</c> as for any journal, or wrap events in <c>Tagged</c> to tag them.
/// </summary>
public static class ActorLsmPersistenceHostingExtensions
{
    /// <summary>
    /// Adds the plugins' HOCON: the reference config as fallback, and in front, for plugin id
    /// <paramref name="pluginIdentifier"/>: <c>akka.persistence.journal.{id}</c> (unless
    /// <paramref name="mode"/> is SnapshotStore), <c>akka.persistence.snapshot-store.{id}</c> (unless Journal)
    /// and <c>akka.persistence.query.journal.{id}</c>, each with <c>class</c>, <c>mode</c> and, when given,
    /// <c>data-dir</c>; with <paramref name="isDefaultPlugin"/>, <c>akka.persistence.journal.plugin</c> and
    /// <c>akka.persistence.snapshot-store.plugin</c> name them.
    /// </summary>
    /// <param name="builder">The application's Akka configuration.</param>
    /// <param name="storeMode">Embedded (a local LsmStore under <paramref name="dataDirectory"/>) or Cluster (IActorLsm).</param>
    /// <param name="dataDirectory">Embedded mode: the store's directory; null keeps <c>data-dir</c> from HOCON (default <c>data/persistence</c>).</param>
    /// <param name="mode">Journal, SnapshotStore or Both.</param>
    /// <param name="pluginIdentifier">The plugin id under akka.persistence.journal / snapshot-store / query.journal.</param>
    /// <param name="isDefaultPlugin">Make these the default journal and snapshot store.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException">An empty <paramref name="pluginIdentifier"/>, or one with characters HOCON paths do not allow unquoted.</exception>
    public static AkkaConfigurationBuilder WithActorLsmPersistence(
        this AkkaConfigurationBuilder builder,
        ActorLsmStoreMode storeMode = ActorLsmStoreMode.Embedded,
        string? dataDirectory = null,
        PersistenceMode mode = PersistenceMode.Both,
        string pluginIdentifier = "actorlsm",
        bool isDefaultPlugin = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddHocon(BuildHocon(storeMode, dataDirectory, mode, pluginIdentifier, isDefaultPlugin), HoconAddMode.Prepend);
        builder.AddHocon(ActorLsmPersistence.DefaultConfig, HoconAddMode.Append);
        return builder;
    }

    /// <summary>The HOCON <see cref="WithActorLsmPersistence"/> puts in front (public for the README and tests).</summary>
    /// <exception cref="ArgumentException">An empty <paramref name="pluginIdentifier"/>, or one with other characters than letters, digits, '-' and '_'.</exception>
    public static Config BuildHocon(ActorLsmStoreMode storeMode, string? dataDirectory, PersistenceMode mode, string pluginIdentifier, bool isDefaultPlugin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginIdentifier);
        if (!pluginIdentifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"plugin identifier \"{pluginIdentifier}\" may hold only letters, digits, '-' and '_'", nameof(pluginIdentifier));
        }

        string modeText = storeMode == ActorLsmStoreMode.Cluster ? "cluster" : "embedded";
        string dirLine = dataDirectory is null ? string.Empty : $"data-dir = {Quote(dataDirectory)}\n";
        var sb = new StringBuilder();
        string journalPath = "akka.persistence.journal." + pluginIdentifier;
        string snapshotPath = "akka.persistence.snapshot-store." + pluginIdentifier;
        if (mode != PersistenceMode.SnapshotStore)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{journalPath} {{\nclass = {Quote(typeof(ActorLsmJournal).AssemblyQualifiedShortName())}\nmode = {modeText}\n{dirLine}}}\n");
            sb.Append(CultureInfo.InvariantCulture, $"akka.persistence.query.journal.{pluginIdentifier} {{\nclass = \"ActorLsm.Persistence.Query.ActorLsmReadJournalProvider, ActorLsm.Persistence\"\nwrite-plugin = {Quote(journalPath)}\n}}\n");
            if (isDefaultPlugin)
            {
                sb.Append(CultureInfo.InvariantCulture, $"akka.persistence.journal.plugin = {Quote(journalPath)}\n");
            }
        }

        if (mode != PersistenceMode.Journal)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{snapshotPath} {{\nclass = {Quote(typeof(ActorLsmSnapshotStore).AssemblyQualifiedShortName())}\nmode = {modeText}\n{dirLine}}}\n");
            if (isDefaultPlugin)
            {
                sb.Append(CultureInfo.InvariantCulture, $"akka.persistence.snapshot-store.plugin = {Quote(snapshotPath)}\n");
            }
        }

        return ConfigurationFactory.ParseString(sb.ToString());
    }

    private static string AssemblyQualifiedShortName(this Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
