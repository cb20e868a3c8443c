using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ActorLsm.Protocol.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ActorLsm.Server.Security;

/// <summary>
/// TLS for a node's TCP listeners from <see cref="TlsSettings"/>: the server options of an
/// <see cref="SslStream"/> (TLS 1.2 or 1.3, the node certificate, client certificates checked against the CA
/// file), and the same as Kestrel connection middleware for a listener bound with
/// <c>ListenOptions.UseConnectionHandler</c>. A plaintext peer fails the handshake and its connection is closed
/// before any frame is read. Certificates are loaded once, when the options are made.
/// </summary>
public static class ServerTls
{
    /// <summary>
    /// The <see cref="SslServerAuthenticationOptions"/> of a listener. Throws <see cref="IOException"/> when a
    /// file cannot be loaded, <see cref="ArgumentException"/> when no certificate is configured or client
    /// certificates are asked for without a CA.
    /// </summary>
    public static SslServerAuthenticationOptions CreateServerOptions(TlsSettings tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.CertificatePath.Length == 0)
        {
            throw new ArgumentException("TLS needs actorlsm.tls.certificate", nameof(tls));
        }

        X509Certificate2 certificate = CertificateFiles.LoadCertificate(tls.CertificatePath, tls.KeyPath, tls.Password);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = tls.ClientCertificates != ClientCertificateRequirement.None,
        };
        if (tls.ClientCertificates != ClientCertificateRequirement.None)
        {
            if (tls.CaPath.Length == 0)
            {
                throw new ArgumentException("client certificates need actorlsm.tls.ca", nameof(tls));
            }

            X509Certificate2Collection roots = CertificateFiles.LoadCertificates(tls.CaPath);
            options.RemoteCertificateValidationCallback = CertificateFiles.Validator(roots, checkName: false, allowMissing: tls.ClientCertificates == ClientCertificateRequirement.Optional);
        }

        return options;
    }

    /// <summary>
    /// Puts TLS (Kestrel's TLS connection middleware, with <see cref="CreateServerOptions"/>) in front of the
    /// connection handler of <paramref name="listen"/>; call before <c>UseConnectionHandler</c>.
    /// </summary>
    public static void UseTls(ListenOptions listen, TlsSettings tls)
    {
        ArgumentNullException.ThrowIfNull(listen);
        SslServerAuthenticationOptions options = CreateServerOptions(tls);
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = tls.HandshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(options),
        });
    }
}
