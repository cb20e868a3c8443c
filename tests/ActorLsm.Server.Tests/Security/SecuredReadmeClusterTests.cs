using System.Globalization;
using System.Text.RegularExpressions;
using ActorLsm.Server.Tests.Support;
using Xunit.Abstractions;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// The README's "secured three-node cluster in five commands", run from the README itself: the five lines
/// of its code block, in a temporary directory holding the repository's <c>deploy/</c> and <c>hocon/</c>
/// (the same files, with free ports in place of 7401-7403, 2551-2553 and 6381-6383). Lines 1-3 and 5 run
/// in bash as written; line 4 (<c>deploy/local-cluster.sh start</c>, fixed ports) is replaced by the same
/// three <c>actorlsm-server --config hocon/secure/nodeK.conf</c> processes. Then: the user's client and
/// redis-cli are served over TLS, a client without credentials and a plaintext client or Akka node are
/// refused, and the three nodes are one cluster over TLS.
/// </summary>
[Collection("process clusters")]
public sealed partial class SecuredReadmeClusterTests(ITestOutputHelper output)
{
    private static readonly string? s_redisCli = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
        .Select(dir => Path.Combine(dir, "redis-cli")).FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task ReadmeFiveCommands_FreePorts_UserServedOverTlsStrangersRefusedOneTlsCluster()
    {
        Skip.If(s_redisCli is null, "redis-cli is not installed (apt-get install redis-tools)");
        string[] commands = ReadmeCommands();
        Assert.Equal(5, commands.Length);
        Assert.Equal("ACTORLSM_CONFIG_DIR=hocon/secure deploy/local-cluster.sh start", commands[3]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = new ProcessCluster();
        string dir = cluster.Root;
        Directory.CreateSymbolicLink(Path.Combine(dir, "deploy"), Path.Combine(RepoTools.Root, "deploy"));
        Directory.CreateDirectory(Path.Combine(dir, "hocon", "secure"));
        foreach (string file in new[] { "node1.conf", "node2.conf", "node3.conf", "secure/node1.conf", "secure/node2.conf", "secure/node3.conf" })
        {
            File.WriteAllText(Path.Combine(dir, "hocon", file), FreePorts(cluster, File.ReadAllText(Path.Combine(RepoTools.Root, "hocon", file))));
        }

        // 1-3: certificates, password hash, users.conf.
        (int code, string stdout, string stderr) = await BashAsync(dir, string.Join('\n', commands[..3]));
        Assert.True(code == 0, $"README lines 1-3 exited {code}:\n{stdout}\n{stderr}");
        Assert.Contains("pbkdf2-sha256$", File.ReadAllText(Path.Combine(dir, "certs", "users.conf")), StringComparison.Ordinal);

        // 4: the three nodes with hocon/secure/nodeK.conf, as local-cluster.sh starts them.
        await cluster.StartAsync(i => $"hocon/secure/node{i + 1}.conf", dir);
        output.WriteLine($"3 secured nodes up after {clock.Elapsed.TotalSeconds:F1} s");

        // 5: the user's put over TLS.
        (code, stdout, stderr) = await BashAsync(dir, FreePorts(cluster, commands[4]));
        Assert.True(code == 0, $"README line 5 exited {code}:\n{stdout}\n{stderr}\n{cluster.Logs}");

        // The user reads it back through another node, with the CLI and with redis-cli over TLS (following MOVED).
        string node2 = "127.0.0.1:" + cluster.ClientPorts[1].ToString(CultureInfo.InvariantCulture);
        (code, stdout, stderr) = await BashAsync(dir, $"ACTORLSM_USER=app ACTORLSM_PASSWORD=s3cret actorlsm get hello --endpoint {node2} --tls-ca certs/ca.pem");
        Assert.True(code == 0 && stdout.Contains("world", StringComparison.Ordinal), $"get exited {code}: {stdout}{stderr}");
        Assert.Equal("world", (await RedisCliAsync(dir, cluster.RespPorts[1], "--tls", "--cacert", "certs/ca.pem", "--user", "app", "--pass", "s3cret", "-c", "get", "hello")).Stdout);
        Assert.Equal("OK", (await RedisCliAsync(dir, cluster.RespPorts[2], "--tls", "--cacert", "certs/ca.pem", "--user", "app", "--pass", "s3cret", "-c", "set", "from-redis", "1")).Stdout);

        // Strangers: no credentials (NOAUTH), a wrong password, no TLS at all.
        (code, stdout, stderr) = await BashAsync(dir, $"actorlsm get hello --endpoint {node2} --tls-ca certs/ca.pem");
        output.WriteLine($"no credentials: exit {code}: {stdout}{stderr}");
        Assert.NotEqual(0, code);
        Assert.Contains("NOAUTH", stdout + stderr, StringComparison.OrdinalIgnoreCase);
        (code, stdout, stderr) = await BashAsync(dir, $"ACTORLSM_USER=app ACTORLSM_PASSWORD=wrong actorlsm get hello --endpoint {node2} --tls-ca certs/ca.pem");
        Assert.NotEqual(0, code);
        (code, stdout, stderr) = await BashAsync(dir, $"ACTORLSM_USER=app ACTORLSM_PASSWORD=s3cret actorlsm get hello --endpoint {node2}");
        output.WriteLine($"plaintext: exit {code}: {stdout}{stderr}");
        Assert.NotEqual(0, code);
        Assert.StartsWith("NOAUTH", (await RedisCliAsync(dir, cluster.RespPorts[0], "--tls", "--cacert", "certs/ca.pem", "get", "hello")).Stdout, StringComparison.Ordinal);
        (int plainCode, string plainOut, _) = await RedisCliAsync(dir, cluster.RespPorts[0], "--user", "app", "--pass", "s3cret", "get", "hello");
        Assert.DoesNotContain("world", plainOut, StringComparison.Ordinal);
        output.WriteLine($"redis-cli without TLS: exit {plainCode}: {plainOut}");

        // One cluster over TLS: every node sees three connected masters; a plaintext Akka node is refused.
        string nodes = (await RedisCliAsync(dir, cluster.RespPorts[0], "--tls", "--cacert", "certs/ca.pem", "--user", "app", "--pass", "s3cret", "cluster", "nodes")).Stdout;
        Assert.Equal(3, nodes.Split('\n').Count(l => l.Contains(" connected", StringComparison.Ordinal)));
        output.WriteLine($"members up: {string.Join(", ", Enumerable.Range(0, ProcessCluster.Nodes).Select(i => cluster[i]!.WhenMemberUp.Result))}\n{nodes}");
        await SecuredClusterTests.AssertPlaintextAkkaRefusedAsync(cluster.RemotePorts[0]);
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:F1} s");
    }

    // The lines of the README's code block after "A secured three-node cluster", without their comments.
    private static string[] ReadmeCommands()
    {
        string readme = File.ReadAllText(Path.Combine(RepoTools.Root, "README.md"));
        int section = readme.IndexOf("A secured three-node cluster on one machine, in five commands", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no secured-cluster section");
        int start = readme.IndexOf("```\n", section, StringComparison.Ordinal) + 4;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return [.. readme[start..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => TrailingComment().Replace(l, string.Empty).Trim())];
    }

    // The local cluster's fixed ports replaced by this cluster's free ones.
    private static string FreePorts(ProcessCluster cluster, string text)
    {
        for (int k = 0; k < ProcessCluster.Nodes; k++)
        {
            text = text
                .Replace((7401 + k).ToString(CultureInfo.InvariantCulture), cluster.ClientPorts[k].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace((2551 + k).ToString(CultureInfo.InvariantCulture), cluster.RemotePorts[k].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace((6381 + k).ToString(CultureInfo.InvariantCulture), cluster.RespPorts[k].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return text;
    }

    // bash -c in dir, with the actorlsm CLI (this build's) first on the PATH, as the README's set-up line puts it.
    private static Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string dir, string script) =>
        RepoTools.RunAsync(
            "bash",
            ["-euo", "pipefail", "-c", $"cd '{dir}'\n{script}"],
            new Dictionary<string, string> { ["PATH"] = Path.GetDirectoryName(RepoTools.CliDll) + ":" + Environment.GetEnvironmentVariable("PATH") },
            TimeSpan.FromSeconds(120));

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RedisCliAsync(string dir, int port, params string[] args)
    {
        (int code, string stdout, string stderr) = await RepoTools.RunAsync(
            "bash",
            ["-c", $"cd '{dir}' && exec \"$0\" \"$@\"", s_redisCli!, "--no-auth-warning", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args],
            new Dictionary<string, string>(),
            TimeSpan.FromSeconds(60));
        return (code, stdout.Trim(), stderr.Trim());
    }

    [GeneratedRegex(@"\s+#\s*\d\..*$")]
    private static partial Regex TrailingComment();
}
