using CallCenter.Sip.Auth;
using static CallCenter.Sip.Tests.Auth.AuthTestMessages;

namespace CallCenter.Sip.Tests.Auth;

public sealed class DigestClientTests
{
    [Fact]
    public void Respond_BothAlgorithmsOfferedMd5First_PicksSha256()
    {
        SipResponse challenge = Challenge(
            "Digest realm=\"example.com\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
            "Digest realm=\"example.com\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"");

        DigestClientResult result = new DigestClient(Username, Password).Respond(challenge, Register());

        DigestCredentials credentials = DigestCredentials.Parse(Assert.Single(result.Headers).Value);
        Assert.Equal("SHA-256", credentials.Algorithm);
        Assert.Equal(64, credentials.Response.Length);
    }

    [Fact]
    public void Respond_QopAuth_ComputesRfc2617ResponseWithGivenCnonce()
    {
        SipResponse challenge = Challenge("Digest realm=\"example.com\", nonce=\"abc\", opaque=\"xyz\", qop=\"auth-int, auth\"");
        SipRequest request = Register();

        DigestClientResult result = new DigestClient(Username, Password, () => "0a4f113b").Respond(challenge, request);

        Assert.Equal(DigestClientStatus.Authorized, result.Status);
        SipHeader header = Assert.Single(result.Headers);
        Assert.Equal("Authorization", header.Name);
        DigestCredentials credentials = DigestCredentials.Parse(header.Value);
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, Username, "example.com", Password);
        Assert.Equal(
            DigestCalculator.ComputeResponse(DigestAlgorithm.Md5, ha1, "abc", "00000001", "0a4f113b", "auth", "REGISTER", "sip:example.com"),
            credentials.Response);
        Assert.Equal("auth", credentials.Qop);
        Assert.Equal("00000001", credentials.NonceCount);
        Assert.Equal("0a4f113b", credentials.Cnonce);
        Assert.Equal("xyz", credentials.Opaque);
        Assert.Equal("sip:example.com", credentials.Uri);
        Assert.Null(credentials.Algorithm);
    }

    [Fact]
    public void Respond_ChallengeWithoutQop_UsesRfc2069Form()
    {
        SipResponse challenge = Challenge("Digest realm=\"example.com\", nonce=\"abc\"");

        DigestClientResult result = new DigestClient(Username, Password).Respond(challenge, Register());

        DigestCredentials credentials = DigestCredentials.Parse(Assert.Single(result.Headers).Value);
        Assert.Null(credentials.Qop);
        Assert.Null(credentials.NonceCount);
        Assert.Null(credentials.Cnonce);
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, Username, "example.com", Password);
        Assert.Equal(
            DigestCalculator.ComputeResponse(DigestAlgorithm.Md5, ha1, "abc", null, null, null, "REGISTER", "sip:example.com"),
            credentials.Response);
    }

    [Fact]
    public void Respond_OnlyUnsupportedChallenges_ReturnsNoSupportedChallenge()
    {
        SipResponse challenge = Challenge(
            "Digest realm=\"example.com\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\"",
            "Digest realm=\"example.com\", nonce=\"n\", algorithm=MD5, qop=\"auth-int\"",
            "Basic realm=\"example.com\"",
            "Digest realm=\"example.com\", nonce=");

        DigestClientResult result = new DigestClient(Username, Password).Respond(challenge, Register());

        Assert.Equal(DigestClientStatus.NoSupportedChallenge, result.Status);
        Assert.Empty(result.Headers);
    }

    [Fact]
    public void Respond_ChallengeAfterOwnCredentialsNotStale_ReportsRejected()
    {
        var client = new DigestClient(Username, "wrong");
        SipRequest first = Register();
        DigestClientResult firstAnswer = client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\""), first);
        SipRequest retry = Register(cseq: 2);
        firstAnswer.ApplyTo(retry);

        DigestClientResult second = client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\""), retry);

        Assert.Equal(DigestClientStatus.CredentialsRejected, second.Status);
        Assert.Empty(second.Headers);
        Assert.False(client.TryAuthorize(Register(cseq: 3)));
    }

    [Fact]
    public void Respond_StaleChallengeAfterOwnCredentials_ReauthenticatesWithNewNonce()
    {
        var client = new DigestClient(Username, Password);
        SipRequest first = Register();
        client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\""), first).ApplyTo(first);

        DigestClientResult second = client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\", stale=TRUE"), first);

        Assert.Equal(DigestClientStatus.Authorized, second.Status);
        DigestCredentials credentials = DigestCredentials.Parse(Assert.Single(second.Headers).Value);
        Assert.Equal("n2", credentials.Nonce);
        Assert.Equal("00000001", credentials.NonceCount);
    }

    [Fact]
    public void TryAuthorize_SameNonce_IncrementsNonceCountAndChangesCnonce()
    {
        var client = new DigestClient(Username, Password);
        client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\""), Register());

        SipRequest second = Register(cseq: 2);
        SipRequest third = Register(cseq: 3);
        Assert.True(client.TryAuthorize(second));
        Assert.True(client.TryAuthorize(third));
        DigestCredentials secondCredentials = DigestCredentials.Parse(second.Headers.GetFirst("Authorization")!);
        DigestCredentials thirdCredentials = DigestCredentials.Parse(third.Headers.GetFirst("Authorization")!);

        Assert.Equal("00000002", secondCredentials.NonceCount);
        Assert.Equal("00000003", thirdCredentials.NonceCount);
        Assert.NotEqual(secondCredentials.Cnonce, thirdCredentials.Cnonce);
    }

    [Fact]
    public void TryAuthorize_NothingCached_ReturnsFalse()
    {
        SipRequest request = Register();

        Assert.False(new DigestClient(Username, Password).TryAuthorize(request));
        Assert.False(request.Headers.Contains("Authorization"));
    }

    [Fact]
    public void ApplyTo_RequestWithOldCredentials_ReplacesOnlySameRealm()
    {
        var client = new DigestClient(Username, Password);
        SipRequest request = Register(extraHeaders:
            "Authorization: Digest username=\"a\", realm=\"example.com\", nonce=\"old\", uri=\"sip:example.com\", response=\"00\"\r\n" +
            "Authorization: Digest username=\"a\", realm=\"other\", nonce=\"o\", uri=\"sip:example.com\", response=\"00\"\r\n");

        client.Respond(Challenge("Digest realm=\"example.com\", nonce=\"new\", qop=\"auth\", stale=true"), request).ApplyTo(request);

        List<DigestCredentials> credentials = request.Headers.GetAll("Authorization").Select(DigestCredentials.Parse).ToList();
        Assert.Equal(2, credentials.Count);
        Assert.Equal("new", Assert.Single(credentials, item => item.Realm == "example.com").Nonce);
        Assert.Single(credentials, item => item.Realm == "other");
    }

    [Fact]
    public void Respond_ProxyAndServerChallengesTogether_AnswersEach()
    {
        SipResponse challenge = Challenge("Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"");
        challenge.Headers.Add("Proxy-Authenticate", "Digest realm=\"proxy.example.com\", nonce=\"p1\", qop=\"auth\", algorithm=SHA-256");

        DigestClientResult result = new DigestClient(Username, Password).Respond(challenge, Register());

        Assert.Equal(["Authorization", "Proxy-Authorization"], result.Headers.Select(header => header.Name).Order());
    }

    private static SipResponse Challenge(params string[] challenges)
    {
        SipResponse response = AuthResponses.CreateResponse(Register(), 401, "Unauthorized");
        foreach (string challenge in challenges)
        {
            response.Headers.Add("WWW-Authenticate", challenge);
        }

        return response;
    }
}
