using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CallCenter.EdgeSip.Tests.Options;

/// <summary>CallCenter:Sip:WebSocket checked at start: ws only on loopback unless allowed, wss only with a loadable certificate.</summary>
public sealed class SipWebSocketOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("callcenter-ws-cert-").FullName;

    [Fact]
    public void PortZero_IsOff_AndValid()
    {
        var options = new SipEdgeOptions();
        Assert.False(options.WebSocket.Enabled);
        Assert.Empty(SipEdgeOptionsValidator.Validate(options));
    }

    [Fact]
    public void Ws_OnLoopback_IsValid() =>
        Assert.Empty(SipEdgeOptionsValidator.Validate(new SipEdgeOptions { WebSocket = new SipWebSocketOptions { Port = 5066 } }));

    [Fact]
    public void Ws_OnAPublicAddress_IsRefusedUnlessAllowInsecure()
    {
        var options = new SipEdgeOptions { ListenAddress = "0.0.0.0", WebSocket = new SipWebSocketOptions { Port = 5066 } };
        Assert.Contains(SipEdgeOptionsValidator.Validate(options), error => error.Contains("ws (no TLS) on 0.0.0.0", StringComparison.Ordinal));

        options.WebSocket.AllowInsecure = true;
        Assert.Empty(SipEdgeOptionsValidator.Validate(options));
    }

    [Fact]
    public void Wss_WithoutACertificate_RefusesToStartNamingTheSetting()
    {
        var options = new SipEdgeOptions { WebSocket = new SipWebSocketOptions { Port = 5066, Secure = true } };
        string error = Assert.Single(SipEdgeOptionsValidator.Validate(options));
        Assert.Contains("CallCenter:Sip:WebSocket: wss needs a certificate: set CertificatePath", error, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => SipEdgeOptionsValidator.ThrowIfInvalid(options));
    }

    [Fact]
    public void Wss_WithAMissingCertificateFile_IsRefused()
    {
        var options = new SipEdgeOptions { ListenAddress = "0.0.0.0", WebSocket = new SipWebSocketOptions { Port = 5066, CertificatePath = Path.Combine(_directory, "none.pfx") } };
        Assert.Contains(SipEdgeOptionsValidator.Validate(options), error => error.Contains("cannot be loaded", StringComparison.Ordinal));
    }

    [Fact]
    public void Wss_WithAPkcs12Certificate_IsValidOnAPublicAddress_AndLoadsWithItsKey()
    {
        using var certificate = SelfSigned();
        string path = Path.Combine(_directory, "edge.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, "secret"));
        var options = new SipEdgeOptions { ListenAddress = "0.0.0.0", WebSocket = new SipWebSocketOptions { Port = 5066, CertificatePath = path, CertificatePassword = "secret" } };

        Assert.Empty(SipEdgeOptionsValidator.Validate(options));
        using var loaded = options.WebSocket.LoadCertificate();
        Assert.True(loaded!.HasPrivateKey);
        Assert.True(options.WebSocket.IsSecure);
    }

    [Fact]
    public void Wss_WithPemCertificateAndKey_Loads()
    {
        using var certificate = SelfSigned();
        string certificatePath = Path.Combine(_directory, "edge.pem");
        string keyPath = Path.Combine(_directory, "edge.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var options = new SipEdgeOptions { WebSocket = new SipWebSocketOptions { Port = 5066, CertificatePath = certificatePath, CertificateKeyPath = keyPath } };

        Assert.Empty(SipEdgeOptionsValidator.Validate(options));
        using var loaded = options.WebSocket.LoadCertificate();
        Assert.True(loaded!.HasPrivateKey);
    }

    [Fact]
    public void Wss_WithAPemCertificateWithoutItsKey_IsRefused()
    {
        using var certificate = SelfSigned();
        string certificatePath = Path.Combine(_directory, "only.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        var options = new SipEdgeOptions { WebSocket = new SipWebSocketOptions { Port = 5066, CertificatePath = certificatePath } };

        Assert.Contains(SipEdgeOptionsValidator.Validate(options), error => error.Contains("CertificatePath", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=edge.test", key, HashAlgorithmName.SHA256);
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }
}
