using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ActorLsm.Protocol.Security;

/// <summary>
/// Certificates from files, for TLS on the client listener, Akka.Remote and the .NET client
/// (<c>deploy/make-certs.sh</c> makes them): a certificate with its private key as PEM (certificate file
/// and key file) or PKCS#12 (<c>.pfx</c>/<c>.p12</c>, with a password), and CA certificates as PEM. Peers are
/// checked against the CA file alone (custom root trust, no revocation check), never the machine's store.
/// </summary>
public static class CertificateFiles
{
    /// <summary>
    /// A certificate with its private key: PKCS#12 when <paramref name="certificatePath"/> ends in <c>.pfx</c> or
    /// <c>.p12</c> (opened with <paramref name="password"/>), else PEM with the key in <paramref name="keyPath"/>
    /// (empty: in the certificate file; an encrypted PKCS#8 key is opened with <paramref name="password"/>).
    /// Throws <see cref="IOException"/> naming the file when it cannot be read or holds no private key.
    /// </summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string keyPath = "", string password = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        keyPath ??= string.Empty;
        password ??= string.Empty;
        X509Certificate2 certificate;
        try
        {
            string extension = Path.GetExtension(certificatePath).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password, X509KeyStorageFlags.Exportable);
            }
            else
            {
                string key = keyPath.Length > 0 ? keyPath : certificatePath;
                certificate = password.Length > 0
                    ? X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, key)
                    : X509Certificate2.CreateFromPemFile(certificatePath, key);
            }
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException or UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot load the certificate {certificatePath}{(keyPath.Length > 0 ? " with key " + keyPath : "")}: {ex.Message}", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new IOException($"the certificate {certificatePath} comes without its private key");
        }

        return certificate;
    }

    /// <summary>The certificates of a PEM file (a CA, or a CA bundle). Throws <see cref="IOException"/> when none can be read.</summary>
    public static X509Certificate2Collection LoadCertificates(string pemPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pemPath);
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(pemPath);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot read the CA file {pemPath}: {ex.Message}", ex);
        }

        return collection.Count > 0 ? collection : throw new IOException($"the CA file {pemPath} holds no PEM certificate");
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> (intermediates may come
    /// from <paramref name="presented"/>, the chain the peer sent), is within its validity period, and is not
    /// itself missing. Revocation is not checked (a private CA publishes no revocation lists).
    /// </summary>
    public static bool ChainsTo(X509Certificate? certificate, X509Certificate2Collection roots, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(roots);
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        X509Certificate2 leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    /// <summary>
    /// A validation callback that accepts a peer certificate only when it chains to <paramref name="roots"/>
    /// (<see cref="ChainsTo"/>) and, with <paramref name="checkName"/>, names the host connected to (subject
    /// alternative names). With <paramref name="allowMissing"/>, a peer that sends no certificate is accepted
    /// (a server's optional client certificates).
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection roots, bool checkName, bool allowMissing = false)
    {
        ArgumentNullException.ThrowIfNull(roots);
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null)
            {
                return allowMissing;
            }

            if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                return false;
            }

            return ChainsTo(certificate, roots, chain);
        };
    }
}
