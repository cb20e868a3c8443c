using Akka.Configuration;

namespace ActorLsm.Persistence.Query;

/// <summary>
/// The read journal's settings (<c>akka.persistence.query.journal.actorlsm</c>, reference.conf).
/// </summary>
/// <param name="WritePlugin">Config path of the journal whose store and key-prefix the queries read.</param>
/// <param name="RefreshInterval">How long a live query waits for a wake-up from the journal of its own ActorSystem before it reads its index range anyway (writes from other processes are seen this way).</param>
/// <param name="PageSize">Entries per range-scan page.</param>
/// <param name="LateEntryWindow">How far behind its newest offset a live tag or all-events query looks again, once per refresh interval, for index entries that became visible late (FORMAT.md "Consistency of the indexes").</param>
internal sealed record QuerySettings(string WritePlugin, TimeSpan RefreshInterval, int PageSize, TimeSpan LateEntryWindow)
{
    /// <summary>Reads <paramref name="config"/> (the query plugin's block, with reference.conf as fallback). Throws ConfigurationException on a bad value.</summary>
    public static QuerySettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = new QuerySettings(
            config.GetString("write-plugin", "akka.persistence.journal.actorlsm"),
            config.GetTimeSpan("refresh-interval", TimeSpan.FromSeconds(1)),
            config.GetInt("page-size", 1000),
            config.GetTimeSpan("late-entry-window", TimeSpan.FromSeconds(2)));
        if (settings.RefreshInterval <= TimeSpan.Zero || settings.PageSize < 1 || settings.LateEntryWindow < TimeSpan.Zero || string.IsNullOrWhiteSpace(settings.WritePlugin))
        {
            throw new ConfigurationException($"akka.persistence.query.journal.actorlsm: refresh-interval must be > 0, page-size >= 1, late-entry-window >= 0 and write-plugin set (got {settings})");
        }

        return settings;
    }
}
