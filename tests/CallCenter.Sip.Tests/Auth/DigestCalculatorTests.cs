using CallCenter.Sip.Auth;

namespace CallCenter.Sip.Tests.Auth;

public sealed class DigestCalculatorTests
{
    // RFC 2617 section 3.5.
    private const string Rfc2617Authorization =
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", " +
        "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", " +
        "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

    // RFC 7616 section 3.9.1 (SHA-256).
    private const string Rfc7616Authorization =
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=SHA-256, " +
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, " +
        "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, " +
        "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", " +
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

    [Fact]
    public void ComputeResponse_Rfc2617Example_MatchesPublishedMd5Digest()
    {
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");

        string response = DigestCalculator.ComputeResponse(
            DigestAlgorithm.Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", "GET", "/dir/index.html");

        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public void ComputeResponse_Rfc7616Sha256Example_MatchesPublishedDigest()
    {
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Sha256, "Mufasa", "http-auth@example.org", "Circle of Life");

        string response = DigestCalculator.ComputeResponse(
            DigestAlgorithm.Sha256,
            ha1,
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
            "GET",
            "/dir/index.html");

        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", response);
    }

    [Fact]
    public void ComputeResponse_Rfc7616Md5Example_MatchesPublishedDigest()
    {
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", "http-auth@example.org", "Circle of Life");

        string response = DigestCalculator.ComputeResponse(
            DigestAlgorithm.Md5,
            ha1,
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
            "GET",
            "/dir/index.html");

        Assert.Equal("8ca523f5e9506fed4657c9700eebdbec", response);
    }

    [Theory]
    [InlineData(Rfc2617Authorization, "Circle Of Life")]
    [InlineData(Rfc7616Authorization, "Circle of Life")]
    public void Parse_RfcExampleAuthorizationHeaders_RecomputesTheirResponse(string header, string password)
    {
        DigestCredentials credentials = DigestCredentials.Parse(header);
        Assert.True(DigestAlgorithm.TryFromName(credentials.Algorithm, out DigestAlgorithm? algorithm));
        string ha1 = DigestCalculator.ComputeHa1(algorithm, credentials.Username, credentials.Realm, password);

        string response = DigestCalculator.ComputeResponse(
            algorithm, ha1, credentials.Nonce, credentials.NonceCount, credentials.Cnonce, credentials.Qop, "GET", credentials.Uri);

        Assert.Equal(credentials.Response, response);
    }

    [Fact]
    public void ComputeResponse_WithoutQop_UsesRfc2069Form()
    {
        DigestAlgorithm md5 = DigestAlgorithm.Md5;
        string ha1 = DigestCalculator.ComputeHa1(md5, "bob", "biloxi.com", "zanzibar");
        string ha2 = md5.Hash("INVITE:sip:bob@biloxi.com");

        string response = DigestCalculator.ComputeResponse(md5, ha1, "abc", "00000001", "ignored", null, "INVITE", "sip:bob@biloxi.com");

        Assert.Equal(md5.Hash($"{ha1}:abc:{ha2}"), response);
    }

    [Theory]
    [InlineData(null, "MD5")]
    [InlineData("", "MD5")]
    [InlineData("md5", "MD5")]
    [InlineData("sha-256", "SHA-256")]
    public void TryFromName_SupportedNames_MapCaseInsensitively(string? name, string expected)
    {
        Assert.True(DigestAlgorithm.TryFromName(name, out DigestAlgorithm? algorithm));
        Assert.Equal(expected, algorithm.Name);
    }

    [Theory]
    [InlineData("SHA-512-256")]
    [InlineData("MD5-sess")]
    [InlineData("SHA-256-sess")]
    [InlineData("AKAv1-MD5")]
    public void TryFromName_UnsupportedNames_ReturnsFalse(string name)
    {
        Assert.False(DigestAlgorithm.TryFromName(name, out _));
    }
}
