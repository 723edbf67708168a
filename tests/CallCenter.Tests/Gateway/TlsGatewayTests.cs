using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CallCenter.Gateway.V1;
using CallCenter.Web.Gateway;
using CallCenter.ServiceDefaults;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;

namespace CallCenter.Tests.Gateway;

/// <summary>The gateway with a certificate configured: gRPC over TLS, the same login and stream.</summary>
public sealed class TlsGatewayHost : GatewayHost
{
    private readonly string _certificatePath = Path.Combine(Path.GetTempPath(), $"callcenter-gateway-{Guid.NewGuid():N}.pfx");
    private X509Certificate2? _certificate;

    protected override IDictionary<string, string?> ExtraSettings()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(_certificatePath, created.Export(X509ContentType.Pfx, "test"));
        _certificate = X509CertificateLoader.LoadPkcs12FromFile(_certificatePath, "test");
        return new Dictionary<string, string?>
        {
            ["CallCenter:Gateway:CertificatePath"] = _certificatePath,
            ["CallCenter:Gateway:CertificatePassword"] = "test",
        };
    }

    /// <summary>The client trusts exactly this test certificate (as a desktop would trust the site's CA).</summary>
    protected override GrpcChannel CreateChannel(int port) => GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == _certificate!.GetCertHashString() },
        },
    });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _certificate?.Dispose();
        File.Delete(_certificatePath);
    }
}

public sealed class TlsGatewayTests(TlsGatewayHost host) : IClassFixture<TlsGatewayHost>
{
    [Fact]
    public async Task WithACertificate_LoginAndTheEventStreamRunOverTls()
    {
        await using var amy = await host.LoginAsync("amy");
        var started = await amy.OpenEventsAsync();

        Assert.Equal("amy", amy.Login.AgentId);
        Assert.False(started.Resumed);
        // Plain HTTP/2 to the TLS endpoint gets nowhere.
        using var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{host.GatewayPort}");
        var refused = await GrpcStatus.OfAsync(() => new AgentDesk.AgentDeskClient(plain).LoginAsync(new LoginRequest { UserId = "amy", Secret = GatewayHost.SecretOf("amy") }).ResponseAsync);
        Assert.NotEqual(Grpc.Core.StatusCode.OK, refused);
    }
}

public sealed class GatewaySettingsTests
{
    [Theory]
    [InlineData("0.0.0.0", null, false, "CertificatePath")]
    [InlineData("10.1.2.3", null, false, "AllowInsecure")]
    [InlineData("not-an-ip", null, false, "ListenAddress")]
    public void PlainHttp2OffLoopback_OrABadAddress_StopsStartUp_NamingTheSetting(string address, string? certificate, bool allowInsecure, string named)
    {
        var options = new GatewayOptions { ListenAddress = address, CertificatePath = certificate, AllowInsecure = allowInsecure };

        var error = Assert.Throws<StartupConfigurationException>(() => GatewayHosting.Validate(options));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void PlainHttp2OffLoopback_IsAllowedWhenSaidExplicitly_OrWithACertificate()
    {
        GatewayHosting.Validate(new GatewayOptions { ListenAddress = "0.0.0.0", AllowInsecure = true });
        GatewayHosting.Validate(new GatewayOptions { ListenAddress = "0.0.0.0", CertificatePath = "/etc/callcenter/gateway.pfx" });
    }

    [Theory]
    [InlineData("short", "base64")]
    [InlineData("c2hvcnQ=", "32 bytes")]
    public void BadTokenKey_StopsStartUp(string key, string named)
    {
        var error = Assert.Throws<StartupConfigurationException>(() => GatewayHosting.Validate(new GatewayOptions { TokenSigningKey = key }));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Cluster_WithoutASharedTokenKey_StopsStartUp_AndTheEmbeddedDefaultMakesOneUp()
    {
        var cluster = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:Clustering:ProviderType"] = "Redis" }).Build();
        var embedded = new ConfigurationBuilder().Build();

        var error = Assert.Throws<StartupConfigurationException>(() => GatewayHosting.RequireSharedSigningKey(new GatewayOptions(), cluster));

        Assert.Contains("TokenSigningKey", error.Message);
        GatewayHosting.RequireSharedSigningKey(new GatewayOptions { TokenSigningKey = Convert.ToBase64String(new byte[32]) }, cluster);
        GatewayHosting.RequireSharedSigningKey(new GatewayOptions(), embedded);
    }

    [Fact]
    public void ConfiguredUserWithoutAValidHash_StopsStartUp()
    {
        var options = new GatewayOptions { Users = [new GatewayUserOptions { UserId = "amy", SecretHash = "amy-secret" }] };

        Assert.Contains("SecretHash", Assert.Throws<StartupConfigurationException>(() => GatewayHosting.Validate(options)).Message);
    }
}
