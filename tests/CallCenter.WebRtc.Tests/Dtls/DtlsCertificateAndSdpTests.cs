using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CallCenter.WebRtc.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Dtls;

public sealed class DtlsCertificateAndSdpTests
{
    [Fact]
    public void CreateSelfSigned_IsEcdsaP256ValidAroundTheInjectedNow()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));

        var certificate = DtlsCertificate.CreateSelfSigned(time);

        using var x509 = X509CertificateLoader.LoadCertificate(certificate.Der.ToArray());
        using var publicKey = x509.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, publicKey.ExportParameters(false).Curve.Oid.Value);
        Assert.Equal(x509.Subject, x509.Issuer);
        Assert.True(x509.NotBefore.ToUniversalTime() <= time.GetUtcNow().UtcDateTime);
        Assert.Equal(time.GetUtcNow().Add(DtlsCertificate.DefaultValidity).UtcDateTime, x509.NotAfter.ToUniversalTime());
        Assert.Equal(SHA256.HashData(certificate.Der), certificate.Fingerprint.Value.ToArray());
    }

    [Fact]
    public void FromX509_OperatorCertificate_KeepsItsFingerprint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=edge.example", key, HashAlgorithmName.SHA256);
        using var x509 = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));

        var certificate = DtlsCertificate.FromX509(x509);

        Assert.Equal(SHA256.HashData(x509.RawData), certificate.Fingerprint.Value.ToArray());
    }

    [Fact]
    public void FromX509_RsaCertificate_IsRefused()
    {
        using var key = RSA.Create(2048);
        using var x509 = new CertificateRequest("CN=rsa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(1));

        Assert.Throws<ArgumentException>(() => DtlsCertificate.FromX509(x509));
    }

    [Fact]
    public void Fingerprint_ToSdpAttribute_IsUpperCaseColonSeparatedSha256()
    {
        var fingerprint = DtlsFingerprint.Compute([1, 2, 3]);

        var attribute = fingerprint.ToSdpAttribute();

        // SHA-256 of 01 02 03.
        Assert.Equal(
            "a=fingerprint:sha-256 03:90:58:C6:F2:C0:CB:49:2C:53:3B:0A:4D:14:EF:77:CC:0F:78:AB:CC:CE:D5:28:7D:84:A1:A2:01:1C:FB:81",
            attribute);
    }

    [Theory]
    [InlineData("a=fingerprint:sha-256 03:90:58:C6:F2:C0:CB:49:2C:53:3B:0A:4D:14:EF:77:CC:0F:78:AB:CC:CE:D5:28:7D:84:A1:A2:01:1C:FB:81")]
    [InlineData("fingerprint:SHA-256 03:90:58:c6:f2:c0:cb:49:2c:53:3b:0a:4d:14:ef:77:cc:0f:78:ab:cc:ce:d5:28:7d:84:a1:a2:01:1c:fb:81")]
    [InlineData("  sha-256 03:90:58:C6:F2:C0:CB:49:2C:53:3B:0A:4D:14:EF:77:CC:0F:78:AB:CC:CE:D5:28:7D:84:A1:A2:01:1C:FB:81\r")]
    public void Fingerprint_TryParse_BrowserForms_EqualsTheComputedOne(string text)
    {
        Assert.True(DtlsFingerprint.TryParse(text, out var parsed, out var error), error.ToString());
        Assert.Equal(DtlsFingerprint.Compute([1, 2, 3]), parsed);
        Assert.True(parsed!.Matches([1, 2, 3]));
    }

    [Theory]
    [InlineData("", FingerprintParseError.Empty)]
    [InlineData("a=fingerprint:", FingerprintParseError.Empty)]
    [InlineData("a=fingerprint:03:90:58", FingerprintParseError.MissingHashFunction)]
    [InlineData("a=fingerprint:md5 03:90", FingerprintParseError.UnsupportedHashFunction)]
    [InlineData("a=fingerprint:sha-256 03:90:5", FingerprintParseError.MalformedHexPairs)]
    [InlineData("a=fingerprint:sha-256 03-90-58", FingerprintParseError.MalformedHexPairs)]
    [InlineData("a=fingerprint:sha-256 GG:90", FingerprintParseError.MalformedHexPairs)]
    [InlineData("a=fingerprint:sha-256 03:90", FingerprintParseError.WrongLength)]
    public void Fingerprint_TryParse_Malformed_SaysWhy(string text, FingerprintParseError expected)
    {
        Assert.False(DtlsFingerprint.TryParse(text, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void AnyMatches_UsesTheStrongestOfferedHashOnly()
    {
        byte[] certificate = [1, 2, 3];
        var sha256 = DtlsFingerprint.Compute(certificate);
        var wrongSha512 = DtlsFingerprint.Compute([9], "sha-512");

        Assert.True(DtlsFingerprint.AnyMatches([sha256], certificate));
        Assert.True(DtlsFingerprint.AnyMatches([DtlsFingerprint.Compute([9]), sha256], certificate));
        // RFC 8122 §5: with a sha-512 fingerprint offered, the sha-256 one is not consulted.
        Assert.False(DtlsFingerprint.AnyMatches([sha256, wrongSha512], certificate));
        Assert.False(DtlsFingerprint.AnyMatches([], certificate));
    }

    [Theory]
    [InlineData("a=setup:actpass", SdpSetupRole.Passive, DtlsRole.Server)]
    [InlineData("a=setup:active", SdpSetupRole.Passive, DtlsRole.Server)]
    [InlineData("setup:passive", SdpSetupRole.Active, DtlsRole.Client)]
    public void SdpSetup_Answer_FollowsRfc5763(string offer, SdpSetupRole expectedAnswer, DtlsRole expectedRole)
    {
        Assert.True(SdpSetup.TryParse(offer, out var offered));

        Assert.True(SdpSetup.TryAnswer(offered, out var answer, out var role));

        Assert.Equal(expectedAnswer, answer);
        Assert.Equal(expectedRole, role);
    }

    [Fact]
    public void SdpSetup_HoldConnOrGarbage_IsRefused()
    {
        Assert.True(SdpSetup.TryParse("a=setup:holdconn", out var holdConn));
        Assert.False(SdpSetup.TryAnswer(holdConn, out _, out _));
        Assert.False(SdpSetup.TryParse("a=setup:sideways", out _));
        Assert.Equal("a=setup:passive", SdpSetup.ToAttribute(SdpSetupRole.Passive));
        Assert.Equal(SdpSetupRole.ActPass, SdpSetup.OfferRole);
        Assert.True(SdpSetup.TryRoleFromAnswer(SdpSetupRole.Active, out var role));
        Assert.Equal(DtlsRole.Server, role);
    }

    [Fact]
    public void SrtpKeys_FromKeyingMaterial_SplitsClientServerKeysThenSalts()
    {
        var material = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();

        var server = SrtpKeys.FromKeyingMaterial(DtlsSrtpProfile.Aes128CmHmacSha1_80, material, DtlsRole.Server);
        var client = SrtpKeys.FromKeyingMaterial(DtlsSrtpProfile.Aes128CmHmacSha1_80, material, DtlsRole.Client);

        Assert.Equal(material[0..16], client.LocalMasterKey);
        Assert.Equal(material[16..32], server.LocalMasterKey);
        Assert.Equal(material[32..46], client.LocalMasterSalt);
        Assert.Equal(material[46..60], server.LocalMasterSalt);
        Assert.Equal(client.LocalMasterKey, server.RemoteMasterKey);
        Assert.Equal(client.LocalMasterSalt, server.RemoteMasterSalt);
        Assert.DoesNotContain("Master", server.ToString());
    }
}
