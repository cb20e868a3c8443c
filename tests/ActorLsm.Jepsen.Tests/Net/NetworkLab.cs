using System.Globalization;

namespace ActorLsm.Jepsen.Tests.Net;

/// <summary>
/// A private network of Linux network namespaces for the harness: one namespace per node, each with
/// an <c>eth0</c> veth whose peer sits on a Linux bridge, and the harness (the root namespace) on the
/// same bridge through a veth of its own, all addressed from <c>10.77.K.0/24</c> (K is picked free).
/// The bridge lives in a hub namespace of its own, so the root namespace's firewall (Docker's FORWARD
/// policy, br_netfilter) never sees node-to-node frames and the harness changes no global rule.
/// </summary>
/// <remarks>
/// <para>Layout (prefix <c>alj-PID</c>, PID = this process):</para>
/// <code>
/// root ns:  aljPIDr 10.77.K.254/24 ──veth── vr ┐
/// alj-PID-hub:                        br0 ─────┤ (bridge)
/// alj-PID-n1: eth0 10.77.K.1/24 ──veth── v1 ───┤
/// alj-PID-n2: eth0 10.77.K.2/24 ──veth── v2 ───┤
/// alj-PID-n3: eth0 10.77.K.3/24 ──veth── v3 ───┘
/// </code>
/// <para>
/// Faults: <see cref="SetLink"/> takes a node's bridge port down (the node is cut off from everyone,
/// clients included); <see cref="Partition"/> adds iptables DROP rules on INPUT inside the node
/// namespaces of both sides (nodes of one side cannot reach the other; the harness reaches all).
/// <see cref="Dispose"/> kills every process left in the namespaces and deletes them; a lab left by
/// a killed harness (its PID gone) is removed by the next <see cref="Create"/>.
/// </para>
/// </remarks>
internal sealed class NetworkLab : IDisposable
{
    /// <summary>Prefix of every namespace the harness makes (then the creating PID).</summary>
    public const string Prefix = "alj-";

    private static readonly Lazy<string?> s_unavailable = new(ProbeUnavailable);
    private readonly string _name;
    private readonly string _rootLink;
    private readonly int _nodes;
    private bool _disposed;

    private NetworkLab(string name, string rootLink, int subnet, int nodes)
    {
        _name = name;
        _rootLink = rootLink;
        _nodes = nodes;
        Subnet = subnet;
    }

    /// <summary>Null when namespaces can be made here; else why not (the reason tests skip with).</summary>
    public static string? Unavailable => s_unavailable.Value;

    /// <summary>K of 10.77.K.0/24.</summary>
    public int Subnet { get; }

    /// <summary>The harness's own address on the bridge.</summary>
    public string HostAddress => Address(254);

    /// <summary>The namespace of node <paramref name="node"/> (1-based).</summary>
    public string Namespace(int node) => $"{_name}-n{node.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address of node <paramref name="node"/> (1-based): 10.77.K.node.</summary>
    public string NodeAddress(int node) => Address(node);

    /// <summary>
    /// Builds the network for <paramref name="nodes"/> nodes (1..<paramref name="nodes"/>), first removing
    /// labs whose creating process is gone. On failure, removes what it made and throws.
    /// </summary>
    public static NetworkLab Create(int nodes)
    {
        SweepStale();
        int pid = Environment.ProcessId;
        string name = Prefix + pid.ToString(CultureInfo.InvariantCulture);
        var lab = new NetworkLab(name, "alj" + pid.ToString(CultureInfo.InvariantCulture) + "r", PickSubnet(pid), nodes);
        try
        {
            lab.Build();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Takes node <paramref name="node"/>'s bridge port down (<paramref name="up"/> false) or up.</summary>
    public void SetLink(int node, bool up) =>
        Shell.Run("ip", "-n", Hub, "link", "set", "v" + node.ToString(CultureInfo.InvariantCulture), up ? "up" : "down");

    /// <summary>Drops every packet between a node of <paramref name="side"/> and a node of <paramref name="other"/>, both ways.</summary>
    public void Partition(IReadOnlyCollection<int> side, IReadOnlyCollection<int> other)
    {
        foreach (int a in side)
        {
            foreach (int b in other)
            {
                Shell.Run("ip", "netns", "exec", Namespace(a), "iptables", "-A", "INPUT", "-s", NodeAddress(b), "-j", "DROP");
                Shell.Run("ip", "netns", "exec", Namespace(b), "iptables", "-A", "INPUT", "-s", NodeAddress(a), "-j", "DROP");
            }
        }
    }

    /// <summary>Removes every partition rule and brings every link up.</summary>
    public void HealAll()
    {
        for (int node = 1; node <= _nodes; node++)
        {
            Shell.Run("ip", "netns", "exec", Namespace(node), "iptables", "-F", "INPUT");
            SetLink(node, up: true);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Remove(_name, _nodes);
        Shell.TryRun("ip", "link", "del", _rootLink);
    }

    private string Hub => _name + "-hub";

    private string Address(int host) => $"10.77.{Subnet.ToString(CultureInfo.InvariantCulture)}.{host.ToString(CultureInfo.InvariantCulture)}";

    private void Build()
    {
        Shell.Run("ip", "netns", "add", Hub);
        Shell.Run("ip", "-n", Hub, "link", "add", "br0", "type", "bridge");
        Shell.Run("ip", "-n", Hub, "link", "set", "br0", "up");
        Shell.Run("ip", "-n", Hub, "link", "set", "lo", "up");

        // The harness's leg: created in the hub, its peer moved into this process's namespace.
        Shell.Run("ip", "-n", Hub, "link", "add", "vr", "type", "veth", "peer", "name", _rootLink, "netns", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Shell.Run("ip", "-n", Hub, "link", "set", "vr", "master", "br0", "up");
        Shell.Run("ip", "addr", "add", HostAddress + "/24", "dev", _rootLink);
        Shell.Run("ip", "link", "set", _rootLink, "up");

        for (int node = 1; node <= _nodes; node++)
        {
            string ns = Namespace(node);
            string port = "v" + node.ToString(CultureInfo.InvariantCulture);
            Shell.Run("ip", "netns", "add", ns);
            Shell.Run("ip", "-n", Hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Shell.Run("ip", "-n", Hub, "link", "set", port, "master", "br0", "up");
            Shell.Run("ip", "-n", ns, "link", "set", "lo", "up");
            Shell.Run("ip", "-n", ns, "addr", "add", NodeAddress(node) + "/24", "dev", "eth0");
            Shell.Run("ip", "-n", ns, "link", "set", "eth0", "up");
        }

        // Fail now, not mid-schedule, when iptables cannot run in a node namespace.
        Shell.Run("ip", "netns", "exec", Namespace(1), "iptables", "-L", "INPUT", "-n");
    }

    /// <summary>SIGKILL of every process in the lab's namespaces, then deletes them.</summary>
    private static void Remove(string name, int nodes)
    {
        var namespaces = Enumerable.Range(1, nodes).Select(n => $"{name}-n{n.ToString(CultureInfo.InvariantCulture)}").Append(name + "-hub");
        foreach (string ns in namespaces)
        {
            (int code, string pids, _) = Shell.TryRun("ip", "netns", "pids", ns);
            if (code == 0)
            {
                foreach (string pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    Shell.TryRun("kill", "-KILL", pid);
                }
            }

            Shell.TryRun("ip", "netns", "del", ns);
        }
    }

    /// <summary>Removes labs (namespaces named alj-PID-...) whose PID no longer runs.</summary>
    private static void SweepStale()
    {
        (int code, string list, _) = Shell.TryRun("ip", "netns", "list");
        if (code != 0)
        {
            return;
        }

        var stale = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string ns = line.Split(' ')[0];
            if (!ns.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = ns.Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !Directory.Exists($"/proc/{pid}"))
            {
                string lab = parts[0] + "-" + parts[1];
                stale[lab] = Math.Max(stale.GetValueOrDefault(lab), parts[2].StartsWith('n') && int.TryParse(parts[2][1..], out int n) ? n : 0);
            }
        }

        foreach ((string lab, int nodes) in stale)
        {
            Remove(lab, nodes);
            Shell.TryRun("ip", "link", "del", "alj" + lab[Prefix.Length..] + "r");
        }
    }

    /// <summary>A /24 of 10.77.0.0/16 that no address or route of this namespace uses, starting from the PID.</summary>
    private static int PickSubnet(int pid)
    {
        string used = Shell.Run("ip", "-4", "addr") + Shell.Run("ip", "-4", "route");
        for (int i = 0; i < 250; i++)
        {
            int k = 1 + ((pid + i) % 250);
            if (!used.Contains($"10.77.{k.ToString(CultureInfo.InvariantCulture)}.", StringComparison.Ordinal))
            {
                return k;
            }
        }

        throw new InvalidOperationException("no free /24 in 10.77.0.0/16");
    }

    private static string? ProbeUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the Jepsen-style harness needs Linux network namespaces; this is " + Environment.OSVersion;
        }

        (int code, string uid, _) = Shell.TryRun("id", "-u");
        if (code != 0 || uid.Trim() != "0")
        {
            return "the Jepsen-style harness needs root (ip netns, veth, iptables); running as uid " + uid.Trim();
        }

        foreach (string tool in new[] { "ip", "iptables" })
        {
            if (Shell.TryRun(tool, "-V").ExitCode == 127)
            {
                return $"the Jepsen-style harness needs `{tool}` on PATH (iproute2, iptables)";
            }
        }

        string probe = Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-probe";
        (code, _, string err) = Shell.TryRun("ip", "netns", "add", probe);
        if (code != 0)
        {
            return "cannot create a network namespace here (`ip netns add` failed: " + err.Trim() + ")";
        }

        (code, _, err) = Shell.TryRun("ip", "netns", "exec", probe, "iptables", "-L", "INPUT", "-n");
        Shell.TryRun("ip", "netns", "del", probe);
        return code != 0 ? "iptables does not run inside a network namespace here: " + err.Trim() : null;
    }
}
