using CallCenter.Sip.Auth;

namespace CallCenter.Sip.Tests.Auth;

public sealed class DigestHeaderParsingTests
{
    [Fact]
    public void ParseChallenge_Rfc8760Style_ReadsEveryParameter()
    {
        DigestChallenge challenge = DigestChallenge.Parse(
            "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth,auth-int\", " +
            "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=SHA-256");

        Assert.Equal("atlanta.com", challenge.Realm);
        Assert.Equal("f84f1cec41e6cbe5aea9c8e88d359", challenge.Nonce);
        Assert.Equal("sip:ss1.carrier.com", challenge.Domain);
        Assert.Equal(["auth", "auth-int"], challenge.QopOptions);
        Assert.True(challenge.OffersQopAuth);
        Assert.Equal(string.Empty, challenge.Opaque);
        Assert.False(challenge.Stale);
        Assert.Equal("SHA-256", challenge.Algorithm);
    }

    [Fact]
    public void ParseChallenge_UpperCaseNamesAndScheme_AreCaseInsensitive()
    {
        DigestChallenge challenge = DigestChallenge.Parse("DIGEST REALM=\"r\", Nonce=\"n\", STALE=TRUE, QOP=\"auth\"");

        Assert.Equal("r", challenge.Realm);
        Assert.Equal("n", challenge.Nonce);
        Assert.True(challenge.Stale);
        Assert.True(challenge.OffersQopAuth);
    }

    [Fact]
    public void ParseChallenge_QuotedPairs_AreUnescapedAndWrittenBack()
    {
        DigestChallenge challenge = DigestChallenge.Parse("Digest realm=\"a \\\"quoted\\\" \\\\ realm\", nonce=\"x\\yz\"");

        Assert.Equal("a \"quoted\" \\ realm", challenge.Realm);
        Assert.Equal("xyz", challenge.Nonce);
        Assert.Equal("Digest realm=\"a \\\"quoted\\\" \\\\ realm\", nonce=\"xyz\"", challenge.ToString());
    }

    [Fact]
    public void ParseChallenge_CommasInsideQuotesAndEmptyElements_AreHandled()
    {
        DigestChallenge challenge = DigestChallenge.Parse("Digest  ,realm=\"a,b\" ,, nonce = \"n\" ,");

        Assert.Equal("a,b", challenge.Realm);
        Assert.Equal("n", challenge.Nonce);
    }

    [Fact]
    public void ParseChallenge_UnknownParameters_AreKeptAndRoundTrip()
    {
        DigestChallenge challenge = DigestChallenge.Parse("Digest realm=\"r\", nonce=\"n\", userhash=true, charset=\"UTF-8\"");

        Assert.Equal("true", challenge.ExtensionParameters.Get("userhash"));
        Assert.Equal("\"UTF-8\"", challenge.ExtensionParameters.Get("CHARSET"));
        Assert.Equal(challenge.ToString(), DigestChallenge.Parse(challenge.ToString()).ToString());
    }

    [Fact]
    public void ToString_ServerChallenge_UsesRfc3261Quoting()
    {
        var challenge = new DigestChallenge("example.com", "abc")
        {
            Opaque = "op",
            Algorithm = "SHA-256",
            QopOptions = ["auth"],
            Stale = true,
        };

        Assert.Equal(
            "Digest realm=\"example.com\", nonce=\"abc\", opaque=\"op\", algorithm=SHA-256, qop=\"auth\", stale=true",
            challenge.ToString());
    }

    [Fact]
    public void ParseCredentials_Rfc3261Example_ReadsEveryParameter()
    {
        DigestCredentials credentials = DigestCredentials.Parse(
            "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", " +
            "uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", " +
            "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");

        Assert.Equal("bob", credentials.Username);
        Assert.Equal("biloxi.com", credentials.Realm);
        Assert.Equal("sip:bob@biloxi.com", credentials.Uri);
        Assert.Equal("auth", credentials.Qop);
        Assert.Equal("00000001", credentials.NonceCount);
        Assert.Equal(1u, credentials.NonceCountValue);
        Assert.Equal("0a4f113b", credentials.Cnonce);
        Assert.Equal("5ccc069c403ebaf9f0171e9517f40e41", credentials.Opaque);
        Assert.Null(credentials.Algorithm);
    }

    [Fact]
    public void ToString_Credentials_QuotesStringsAndLeavesTokensBare()
    {
        var credentials = new DigestCredentials("bob", "biloxi.com", "n", "sip:bob@biloxi.com", "abcdef")
        {
            Algorithm = "SHA-256",
            Cnonce = "c",
            Opaque = "o",
            Qop = "auth",
            NonceCount = "0000000a",
        };

        string text = credentials.ToString();

        Assert.Equal(
            "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"n\", uri=\"sip:bob@biloxi.com\", response=\"abcdef\", " +
            "algorithm=SHA-256, cnonce=\"c\", opaque=\"o\", qop=auth, nc=0000000a",
            text);
        DigestCredentials again = DigestCredentials.Parse(text);
        Assert.Equal(10u, again.NonceCountValue);
        Assert.Equal(text, again.ToString());
    }

    [Fact]
    public void ParseCredentials_QuotedTokens_AreAccepted()
    {
        DigestCredentials credentials = DigestCredentials.Parse(
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", algorithm=\"MD5\", qop=\"auth\", nc=00000002, cnonce=\"c\"");

        Assert.Equal("MD5", credentials.Algorithm);
        Assert.Equal("auth", credentials.Qop);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Digest")]
    [InlineData("Digest ")]
    [InlineData("Basic realm=\"r\", nonce=\"n\"")]
    [InlineData("Digest realm=\"r\"")]
    [InlineData("Digest nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n")]
    [InlineData("Digest realm=\"r\", nonce=\"n\\")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce")]
    [InlineData("Digest realm=\"r\", nonce=")]
    [InlineData("Digest realm=\"r\", =\"n\"")]
    [InlineData("Digest realm=\"r\", realm=\"s\", nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", stale=maybe")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", qop=\",,\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", algorithm=\"SHA 256\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", Digest realm=\"s\", nonce=\"m\"")]
    [InlineData("Digest realm=r\u0001, nonce=\"n\"")]
    [InlineData("Digest realm=\"r\u0001\", nonce=\"n\"")]
    [InlineData("Digest realm=\"r\\\n\", nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\";opaque=\"o\"")]
    [InlineData("Digest,realm=\"r\", nonce=\"n\"")]
    public void ParseChallenge_MalformedValues_ThrowSipParseException(string value)
    {
        Assert.Throws<SipParseException>(() => DigestChallenge.Parse(value));
        Assert.False(DigestChallenge.TryParse(value, out _));
    }

    [Theory]
    [InlineData("Digest realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"")]
    [InlineData("Digest username=\"u\", nonce=\"n\", uri=\"sip:r\", response=\"00\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", uri=\"sip:r\", response=\"00\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"00\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"xyz\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth, nc=1, cnonce=\"c\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth, nc=0000000g, cnonce=\"c\"")]
    [InlineData("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", USERNAME=\"v\"")]
    [InlineData("Bearer abc")]
    public void ParseCredentials_MalformedValues_ThrowSipParseException(string value)
    {
        Assert.Throws<SipParseException>(() => DigestCredentials.Parse(value));
        Assert.False(DigestCredentials.TryParse(value, out _));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(DigestChallenge.TryParse(null, out _));
        Assert.False(DigestCredentials.TryParse(null, out _));
    }

    [Fact]
    public void ParseChallenge_ValueFromParsedMessage_ReadsWholeHeader()
    {
        SipMessage message = SipMessageParser.Parse(TestMessages.Bytes(
            "SIP/2.0 401 Unauthorized\r\n" +
            "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
            "To: <sip:bob@example.com>;tag=1\r\nFrom: <sip:alice@example.com>;tag=2\r\n" +
            "Call-ID: a@b\r\nCSeq: 1 REGISTER\r\n" +
            "WWW-Authenticate: Digest realm=\"example.com\",\r\n nonce=\"abc\", qop=\"auth\", algorithm=SHA-256\r\n" +
            "Content-Length: 0\r\n\r\n"));

        DigestChallenge challenge = DigestChallenge.Parse(message.Headers.GetFirst(DigestHeaderNames.WwwAuthenticate)!);

        Assert.Equal("example.com", challenge.Realm);
        Assert.Equal("abc", challenge.Nonce);
        Assert.Equal("SHA-256", challenge.Algorithm);
    }
}
