using System.Security.Cryptography.X509Certificates;
using ActorLsm.Protocol.Security;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace ActorLsm.Server.Security;

/// <summary>
/// TLS on Akka.Remote (DotNetty's <c>akka.remote.dot-netty.tcp.enable-ssl</c>) from <see cref="TlsSettings"/>:
/// the node certificate is loaded here (PEM or PKCS#12) and handed to Akka as a <see cref="DotNettySslSetup"/>,
/// with mutual authentication and a validator that accepts only peers whose certificate chains to the CA file
/// (no host-name check: nodes dial each other by address). Akka then names addresses <c>akka.ssl.tcp://</c>;
/// seed nodes written as <c>akka.tcp://</c> are rewritten to it, so one node file serves both modes.
/// </summary>
public static class RemoteTls
{
    /// <summary>
    /// The Akka setup for TLS on Akka.Remote. Throws <see cref="ArgumentException"/> when the certificate or the
    /// CA is not configured, <see cref="IOException"/> when a file cannot be loaded.
    /// </summary>
    public static DotNettySslSetup CreateSetup(TlsSettings tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.CertificatePath.Length == 0 || tls.CaPath.Length == 0)
        {
            throw new ArgumentException("TLS on Akka.Remote needs actorlsm.tls.certificate and actorlsm.tls.ca", nameof(tls));
        }

        X509Certificate2 certificate = CertificateFiles.LoadCertificate(tls.CertificatePath, tls.KeyPath, tls.Password);
        X509Certificate2Collection roots = CertificateFiles.LoadCertificates(tls.CaPath);
        return new DotNettySslSetup(
            certificate,
            suppressValidation: false,
            requireMutualAuthentication: true,
            validateCertificateHostname: false,
            customValidator: (peer, chain, _, _, _) => CertificateFiles.ChainsTo(peer, roots, chain));
    }

    /// <summary>
    /// <paramref name="config"/> with <c>enable-ssl = on</c> and every seed node's scheme moved to its
    /// <c>ssl</c> form (<c>akka.tcp</c> → <c>akka.ssl.tcp</c>, <c>akka.trttl.tcp</c> → <c>akka.trttl.ssl.tcp</c>).
    /// </summary>
    public static Config Apply(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        IList<string> seeds = config.HasPath("akka.cluster.seed-nodes") ? config.GetStringList("akka.cluster.seed-nodes") : [];
        string list = string.Join(", ", seeds.Select(s => "\"" + SslAddress(s) + "\""));
        return ConfigurationFactory.ParseString(
            "akka.remote.dot-netty.tcp.enable-ssl = on\n" +
            "akka.cluster.seed-nodes = [" + list + "]").WithFallback(config);
    }

    /// <summary>An Akka address with the DotNetty TLS scheme: <c>akka.tcp://s@h:p</c> → <c>akka.ssl.tcp://s@h:p</c>; unchanged when already so.</summary>
    public static string SslAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return address;
        }

        string protocol = address[..scheme];
        if (protocol.Contains(".ssl.", StringComparison.Ordinal) || !protocol.EndsWith(".tcp", StringComparison.Ordinal))
        {
            return address;
        }

        return protocol[..^".tcp".Length] + ".ssl.tcp" + address[scheme..];
    }
}
