using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ActorLsm.Protocol.Security;

namespace ActorLsm.Client.Connections;

/// <summary>The client side of TLS (<see cref="ActorLsmClientTlsOptions"/>): the handshake over a connected stream.</summary>
internal static class ClientTls
{
    /// <summary>
    /// Wraps <paramref name="inner"/> in an authenticated <see cref="SslStream"/>. Throws
    /// <see cref="AuthenticationException"/> when the node's certificate is refused or the handshake fails,
    /// <see cref="IOException"/> when a certificate file cannot be loaded.
    /// </summary>
    public static async Task<Stream> AuthenticateAsync(Stream inner, NodeEndpoint endpoint, ActorLsmClientTlsOptions tls, CancellationToken cancellationToken)
    {
        string host = tls.TargetHost ?? endpoint.EndPoint switch
        {
            DnsEndPoint dns => dns.Host,
            IPEndPoint ip => ip.Address.ToString(),
            _ => endpoint.Text,
        };
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (tls.CaPath is { Length: > 0 } ca)
        {
            options.RemoteCertificateValidationCallback = CertificateFiles.Validator(CertificateFiles.LoadCertificates(ca), checkName: true);
        }

        if (tls.ClientCertificatePath is { Length: > 0 } certificate)
        {
            options.ClientCertificates = [CertificateFiles.LoadCertificate(certificate, tls.ClientKeyPath ?? string.Empty, tls.ClientCertificatePassword ?? string.Empty)];
        }

        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException($"TLS handshake with {endpoint} failed: {ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
