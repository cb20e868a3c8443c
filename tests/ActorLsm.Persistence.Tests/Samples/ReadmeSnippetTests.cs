using System.Text.RegularExpressions;
using ActorLsm.Samples.Account;

namespace ActorLsm.Persistence.Tests.Samples;

/// <summary>
/// The top-level README's "Persistence" section shows exactly the HOCON and the Hosting calls the account
/// sample runs with (and <see cref="AccountSampleKillTests"/> kills and restarts), so what a user pastes is
/// what is tested.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    [Fact]
    public void ReadmePersistenceSection_HoconBlocks_AreTheSampleHoconForBothModes()
    {
        List<string> blocks = Blocks(PersistenceSection(), "hocon");

        Assert.Contains(Normalize(AccountApp.EmbeddedHocon), blocks);
        Assert.Contains(Normalize(AccountApp.ClusterHocon), blocks);
        Assert.All(blocks, b => Assert.True(b == Normalize(AccountApp.EmbeddedHocon) || b == Normalize(AccountApp.ClusterHocon), "a HOCON block the sample does not run:\n" + b));
    }

    [Fact]
    public void ReadmePersistenceSection_HostingCalls_AreCallsOfTheSample()
    {
        string code = string.Join('\n', Blocks(PersistenceSection(), "csharp"));
        string sample = NoSpace(File.ReadAllText(Path.Combine(RepoRoot(), "samples", "ActorLsm.Samples.Account", "AccountApp.cs")));
        List<string> calls = [.. Call().Matches(NoSpace(code)).Select(m => m.Value)];

        Assert.Contains(calls, c => c.StartsWith(".WithActorLsmPersistence(ActorLsmStoreMode.Embedded", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith(".WithActorLsmPersistence(ActorLsmStoreMode.Cluster", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith(".WithActorLsm(", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith(".AddHocon(EmbeddedHocon", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith(".AddHocon(ClusterHocon", StringComparison.Ordinal));
        Assert.All(calls, c => Assert.True(sample.Contains(c, StringComparison.Ordinal), $"the README calls {c}, the sample does not"));
    }

    private static string PersistenceSection()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        int start = readme.IndexOf("\n## Persistence\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Persistence\" section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static List<string> Blocks(string markdown, string language) =>
        [.. Regex.Matches(markdown, "```" + language + "\n(.*?)```", RegexOptions.Singleline).Select(m => Normalize(m.Groups[1].Value))];

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim();

    private static string NoSpace(string text) => Regex.Replace(text, @"\s+", string.Empty);

    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ActorLsm.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"no ActorLsm.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>A method call <c>.Name(...)</c> with up to two levels of nested parentheses, in whitespace-free text.</summary>
    [GeneratedRegex(@"\.(With\w+|AddHocon)\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")]
    private static partial Regex Call();
}
