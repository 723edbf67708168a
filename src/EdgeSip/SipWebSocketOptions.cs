using System.Net;
using System.Security.Cryptography.X509Certificates;
using CallCenter.Sip.Transport;

namespace CallCenter.EdgeSip;

/// <summary>
/// SIP over WebSocket for browser softphones (configuration section <c>CallCenter:Sip:WebSocket</c>): off at port 0;
/// wss with the configured certificate, or ws, which is allowed only on a loopback address unless
/// <see cref="AllowInsecure"/> says otherwise.
/// </summary>
public sealed class SipWebSocketOptions
{
    public const string Section = SipEdgeOptions.Section + ":WebSocket";

    /// <summary>The WebSocket listener's port; 0 turns SIP over WebSocket off.</summary>
    public int Port { get; set; }

    /// <summary>Where the WebSocket listener binds; the edge's ListenAddress when empty.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>Demand wss: without a certificate the edge refuses to start. A certificate implies wss anyway.</summary>
    public bool Secure { get; set; }

    /// <summary>The server certificate: a PKCS#12 file (.pfx/.p12, with <see cref="CertificatePassword"/>) or a PEM file.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>The PEM private key when <see cref="CertificatePath"/> is a PEM certificate without its key.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Allow ws (no TLS) on an address other than loopback: credentials and SDP then travel in clear.</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>Connections beyond this are refused at the upgrade (503).</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>A connection that sends nothing for this long is closed (its phone is then gone).</summary>
    public double IdleTimeoutSeconds { get; set; } = 900;

    public bool Enabled => Port != 0;

    public bool IsSecure => Secure || !string.IsNullOrWhiteSpace(CertificatePath);

    public IPAddress ListenIp(SipEdgeOptions edge) => IPAddress.Parse(string.IsNullOrWhiteSpace(ListenAddress) ? edge.ListenAddress : ListenAddress);

    /// <summary>Loads the certificate (with its private key); null for ws.</summary>
    public X509Certificate2? LoadCertificate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            return null;
        }

        string extension = Path.GetExtension(CertificatePath);
        if (extension.Equals(".pem", StringComparison.OrdinalIgnoreCase) || extension.Equals(".crt", StringComparison.OrdinalIgnoreCase))
        {
            using var pem = string.IsNullOrWhiteSpace(CertificateKeyPath)
                ? X509Certificate2.CreateFromPemFile(CertificatePath)
                : X509Certificate2.CreateFromPemFile(CertificatePath, CertificateKeyPath);

            // An ephemeral PEM key cannot serve TLS on every platform: round-trip it through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
    }

    public WebSocketTransportOptions ToTransportOptions(TimeProvider time) => new()
    {
        MaxConnections = MaxConnections,
        IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
        Certificate = LoadCertificate(),
        TimeProvider = time,
    };
}
