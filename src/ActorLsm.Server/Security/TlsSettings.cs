namespace ActorLsm.Server.Security;

/// <summary>Whether a TLS listener asks clients for a certificate (<c>actorlsm.tls.client-certificates</c>).</summary>
public enum ClientCertificateRequirement
{
    /// <summary><c>none</c>: clients are not asked for a certificate.</summary>
    None,

    /// <summary><c>optional</c>: a certificate a client sends must chain to the CA; sending none is allowed.</summary>
    Optional,

    /// <summary><c>required</c>: every client must send a certificate that chains to the CA.</summary>
    Required,
}

/// <summary>
/// TLS of a node (hocon: <c>actorlsm.tls.*</c>): one node certificate for its listeners and for Akka.Remote,
/// the CA that peers' certificates must chain to, and which of them use TLS.
/// </summary>
public sealed record TlsSettings
{
    /// <summary>The node's certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>). Empty: none.</summary>
    public string CertificatePath { get; init; } = string.Empty;

    /// <summary>PEM private key of <see cref="CertificatePath"/>; empty when the key is in that file (PKCS#12 or a combined PEM).</summary>
    public string KeyPath { get; init; } = string.Empty;

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key; empty for none.</summary>
    public string Password { get; init; } = string.Empty;

    /// <summary>PEM file of the CA certificates that client certificates and other nodes' certificates must chain to. Empty: none.</summary>
    public string CaPath { get; init; } = string.Empty;

    /// <summary>TLS on the client-protocol listener (<c>actorlsm.tls.client-listener</c>). Default off.</summary>
    public bool ClientListener { get; init; }

    /// <summary>TLS on the RESP listener (<c>actorlsm.tls.resp-listener</c>; <c>redis-cli --tls</c>). Default off.</summary>
    public bool RespListener { get; init; }

    /// <summary>Whether the client and RESP listeners ask for client certificates (needs <see cref="CaPath"/> unless none). Default none.</summary>
    public ClientCertificateRequirement ClientCertificates { get; init; } = ClientCertificateRequirement.None;

    /// <summary>TLS (mutually authenticated) on Akka.Remote between nodes (<c>actorlsm.tls.remote</c>); needs <see cref="CaPath"/>. Default off.</summary>
    public bool Remote { get; init; }

    /// <summary>How long a TLS handshake may take before the connection is dropped. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No TLS anywhere.</summary>
    public static TlsSettings Off { get; } = new();
}
