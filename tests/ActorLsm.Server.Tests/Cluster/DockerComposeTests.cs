using System.Globalization;
using ActorLsm.Cluster;
using Akka.Actor;
using AkkaConfig = Akka.Configuration.Config;
using Akka.Configuration;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ActorLsm.Server.Tests.Cluster;

/// <summary>
/// docker-compose.yml, deploy/Dockerfile and the container overlays hocon/docker/nodeK.conf agree with
/// hocon/nodeK.conf: three services node1..node3 built from deploy/Dockerfile, each publishing its
/// node's client port, with its own named volume on its data directory, remoting advertised under
/// the service name on the node's port, and seeds that name services on the seed ports of nodeK.conf.
/// Each service's configuration is loaded as the container's server would load it: the command's
/// <c>--config</c> path is mapped back through the Dockerfile's <c>COPY hocon/ ...</c> line and given to
/// <see cref="ServerConfig.Load"/> and <see cref="ServerConfigBinder.Bind"/>. No Docker engine is used.
/// </summary>
public sealed class DockerComposeTests
{
    private const int Nodes = 3;

    /// <summary>The keys hocon/docker/nodeK.conf overrides; every other setting must come from nodeK.conf.</summary>
    private static readonly string[] s_overriddenKeys =
        ["actorlsm.server.host", "actorlsm.server.advertised-host", "actorlsm.security.protected-mode", "actorlsm.node.data-dir", "akka.remote.dot-netty.tcp.hostname", "akka.cluster.seed-nodes"];

    private static readonly YamlMappingNode s_compose = LoadCompose();

    private static string[] DockerfileLines => File.ReadAllLines(Path.Combine(RepoTools.Root, "deploy", "Dockerfile"));

    private static YamlMappingNode Services => Map(s_compose, "services");

    private static AkkaConfig Base(int node) => ServerConfig.Load(Path.Combine(RepoTools.Root, "hocon", $"node{node}.conf")).Config;

    [Fact]
    public void Compose_Services_AreNode1ToNode3BuiltFromDeployDockerfile()
    {
        Assert.Equal(["node1", "node2", "node3"], Services.Children.Keys.Select(Scalar).Order(StringComparer.Ordinal));
        for (int node = 1; node <= Nodes; node++)
        {
            YamlMappingNode build = Map(Service(node), "build");
            Assert.Equal(".", Scalar(build["context"]));
            Assert.Equal("deploy/Dockerfile", Scalar(build["dockerfile"]));
            Assert.True(File.Exists(Path.Combine(RepoTools.Root, Scalar(build["context"]), Scalar(build["dockerfile"]))));
        }
    }

    [Fact]
    public void Compose_Ports_PublishNodeConfClientPortOnTheContainersListener()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings container = ServerConfigBinder.Bind(ContainerConfig(node));
            string[] ports = Sequence(Service(node), "ports");

            string mapping = Assert.Single(ports);
            string[] parts = mapping.Split(':');
            Assert.Equal(2, parts.Length);
            int hostPort = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int containerPort = int.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.Equal(7400 + node, hostPort);
            Assert.Equal(Base(node).GetInt("actorlsm.server.port"), hostPort);
            Assert.Equal(container.Server.Port, containerPort);
            Assert.Equal("0.0.0.0", container.Server.Host);
        }
    }

    [Fact]
    public void Compose_Volumes_OneNamedVolumePerNodeMountedAtItsDataDir()
    {
        YamlMappingNode declared = Map(s_compose, "volumes");
        var names = new List<string>();
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings container = ServerConfigBinder.Bind(ContainerConfig(node));
            string volume = Assert.Single(Sequence(Service(node), "volumes"));
            int colon = volume.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, volume);
            string name = volume[..colon];
            string target = volume[(colon + 1)..];

            Assert.Equal($"node{node}-data", name);
            Assert.Contains(new YamlScalarNode(name), declared.Children.Keys);
            Assert.Equal("/var/lib/actorlsm", target);
            Assert.Equal(target, container.Node.DataDir);
            names.Add(name);
        }

        Assert.Equal(Nodes, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Compose_Seeds_NameServicesOnTheSeedPortsOfNodeConf()
    {
        var services = Services.Children.Keys.Select(Scalar).ToHashSet(StringComparer.Ordinal);
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings container = ServerConfigBinder.Bind(ContainerConfig(node));
            Assert.NotNull(container.Cluster);
            IReadOnlyList<NodeAddress> seeds = Seeds(container.Config.Config);
            IReadOnlyList<NodeAddress> baseSeeds = Seeds(Base(node));

            Assert.Equal([2551, 2552, 2553], seeds.Select(s => s.Port));
            Assert.Equal(baseSeeds.Select(s => s.Port), seeds.Select(s => s.Port));
            Assert.Equal(["node1", "node2", "node3"], seeds.Select(s => s.Host));
            foreach (NodeAddress seed in seeds)
            {
                // The seed's host is a service, and that service's remoting listens on the seed's port.
                Assert.Contains(seed.Host, services);
                int seedNode = int.Parse(seed.Host["node".Length..], CultureInfo.InvariantCulture);
                Assert.Equal(Base(seedNode).GetInt("akka.remote.dot-netty.tcp.port"), seed.Port);
                Assert.Equal(seed.Port, ContainerConfig(seedNode).Config.GetInt("akka.remote.dot-netty.tcp.port"));
            }
        }
    }

    [Fact]
    public void Compose_Remoting_AdvertisesServiceNameOnNodeConfPort()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings container = ServerConfigBinder.Bind(ContainerConfig(node));

            Assert.NotNull(container.Cluster);
            AkkaConfig config = container.Config.Config;
            Assert.Equal($"node{node}", config.GetString("akka.remote.dot-netty.tcp.hostname"));
            Assert.Equal(2550 + node, config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal(Base(node).GetInt("akka.remote.dot-netty.tcp.port"), config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal($"node{node}", Scalar(Service(node)["hostname"]));
        }
    }

    [Fact]
    public void DockerOverlays_SettingsOtherThanAddressesAndDataDir_EqualNodeConf()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            AkkaConfig overlay = ContainerConfig(node).Config;
            Dictionary<string, string> container = Flatten(overlay);
            Dictionary<string, string> local = Flatten(Base(node));
            foreach (string key in s_overriddenKeys)
            {
                Assert.True(overlay.HasPath(key), key);
                Assert.NotEqual(Text(Base(node), key), Text(overlay, key));
                foreach (string flat in (string[])[key, key + "[0]", key + "[1]"])
                {
                    container.Remove(flat);
                    local.Remove(flat);
                }
            }

            Assert.NotEmpty(local);
            Assert.Equal(local.OrderBy(p => p.Key, StringComparer.Ordinal), container.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void DockerOverlays_AdvertisedClientEndpoint_IsLoopbackOnTheSamePortAsTheLocalNode()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings settings = ServerConfigBinder.Bind(ContainerConfig(node));
            Assert.Equal("127.0.0.1", settings.Server.AdvertisedHost);
            Assert.Equal(Base(node).GetInt("actorlsm.server.port"), settings.Server.Port);
        }
    }

    [Fact]
    public void Dockerfile_Expose_ListsEveryClientAndRemotingPortOfTheNodeConfs()
    {
        string expose = Assert.Single(DockerfileLines, l => l.StartsWith("EXPOSE ", StringComparison.Ordinal));
        int[] exposed = expose["EXPOSE ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Order().ToArray();
        int[] expected = Enumerable.Range(1, Nodes)
            .SelectMany(n => new[] { Base(n).GetInt("actorlsm.server.port"), Base(n).GetInt("akka.remote.dot-netty.tcp.port") })
            .Order().ToArray();

        Assert.Equal([2551, 2552, 2553, 7401, 7402, 7403], expected);
        Assert.Equal(expected, exposed);
        Assert.Contains(DockerfileLines, l => l == "ENTRYPOINT [\"dotnet\", \"actorlsm-server.dll\"]");
    }

    private static string Text(AkkaConfig config, string key) =>
        config.GetValue(key).IsArray() ? string.Join(',', config.GetStringList(key)) : config.GetString(key);

    // The seed nodes' host:port (Akka addresses akka.tcp://actorlsm@HOST:PORT).
    private static List<NodeAddress> Seeds(AkkaConfig config) =>
        [.. config.GetStringList("akka.cluster.seed-nodes").Select(s => NodeAddress.FromAkka(Address.Parse(s)))];

    private static YamlMappingNode Service(int node) => Map(Services, $"node{node}");

    /// <summary>
    /// The configuration the server in service nodeK loads: its command's flags, with the <c>--config</c>
    /// path mapped from the image back to the repository through the Dockerfile's <c>COPY hocon/</c> line.
    /// </summary>
    private static NodeConfig ContainerConfig(int node)
    {
        string[] command = Sequence(Service(node), "command");
        string? config = null;
        string? dataDir = null;
        int? port = null;
        for (int i = 0; i < command.Length; i += 2)
        {
            Assert.True(i + 1 < command.Length, $"flag {command[i]} of node{node} has no value");
            switch (command[i])
            {
                case "--config": config = command[i + 1]; break;
                case "--data-dir": dataDir = command[i + 1]; break;
                case "--port": port = int.Parse(command[i + 1], CultureInfo.InvariantCulture); break;
                default: Assert.Fail($"node{node}: unknown server flag {command[i]}"); break;
            }
        }

        Assert.NotNull(config);
        return ServerConfig.Load(ImageToRepo(config), dataDir, port);
    }

    /// <summary>Maps a path inside the image under the destination of <c>COPY hocon/ DEST</c> to the repository's hocon/.</summary>
    private static string ImageToRepo(string imagePath)
    {
        string copy = Assert.Single(DockerfileLines, l => l.StartsWith("COPY hocon/ ", StringComparison.Ordinal));
        string destination = copy["COPY hocon/ ".Length..].Trim();
        Assert.EndsWith("/", destination, StringComparison.Ordinal);
        Assert.StartsWith(destination, imagePath, StringComparison.Ordinal);
        string relative = imagePath[destination.Length..];
        return Path.Combine(RepoTools.Root, "hocon", relative.Replace('/', Path.DirectorySeparatorChar));
    }

    private static YamlMappingNode LoadCompose()
    {
        using var reader = new StreamReader(Path.Combine(RepoTools.Root, "docker-compose.yml"));
        var stream = new YamlStream();
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => Assert.IsType<YamlMappingNode>(node[key]);

    private static string[] Sequence(YamlMappingNode node, string key) =>
        Assert.IsType<YamlSequenceNode>(node[key]).Children.Select(Scalar).ToArray();

    private static string Scalar(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? string.Empty;

    /// <summary>Every scalar of the resolved tree by dotted path; lists as their items joined by commas.</summary>
    private static Dictionary<string, string> Flatten(AkkaConfig config) =>
        ConfigValidator.LeafPaths(config).ToDictionary(path => path, path => Text(config, path), StringComparer.Ordinal);
}
