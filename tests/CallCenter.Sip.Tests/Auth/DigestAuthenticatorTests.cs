using System.Text.RegularExpressions;
using CallCenter.Sip.Auth;
using static CallCenter.Sip.Tests.Auth.AuthTestMessages;

namespace CallCenter.Sip.Tests.Auth;

public sealed partial class DigestAuthenticatorTests
{
    [Fact]
    public async Task VerifyAsync_NoCredentials_Challenges401WithSha256ThenMd5()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();

        DigestVerificationResult result = await authenticator.VerifyAsync(Register());

        Assert.Equal(DigestVerificationStatus.MissingCredentials, result.Status);
        SipResponse response = Assert.IsType<SipResponse>(result.Response);
        Assert.Equal(401, response.StatusCode);
        Assert.Equal("Unauthorized", response.ReasonPhrase);
        DigestChallenge[] challenges = response.Headers.GetAll("WWW-Authenticate").Select(DigestChallenge.Parse).ToArray();
        Assert.Equal(["SHA-256", "MD5"], challenges.Select(challenge => challenge.Algorithm));
        Assert.All(challenges, challenge =>
        {
            Assert.Equal(Realm, challenge.Realm);
            Assert.Equal(["auth"], challenge.QopOptions);
            Assert.False(string.IsNullOrEmpty(challenge.Opaque));
            Assert.False(challenge.Stale);
            Assert.Equal(challenges[0].Nonce, challenge.Nonce);
        });
        Assert.False(response.Headers.Contains("Proxy-Authenticate"));
    }

    [Fact]
    public void CreateChallenges_AlgorithmsConfiguredWeakestFirst_StillOffersSha256First()
    {
        (DigestAuthenticator authenticator, _) = Authenticator(algorithms: [DigestAlgorithm.Md5, DigestAlgorithm.Sha256]);

        IReadOnlyList<DigestChallenge> challenges = authenticator.CreateChallenges();

        Assert.Equal(["SHA-256", "MD5"], challenges.Select(challenge => challenge.Algorithm));
    }

    [Fact]
    public void CreateChallenges_TwoCalls_IssueDifferentNonces()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();

        Assert.NotEqual(authenticator.CreateChallenges()[0].Nonce, authenticator.CreateChallenges()[0].Nonce);
    }

    [Fact]
    public async Task VerifyAsync_Sha256RoundTrip_Authenticates()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();

        DigestVerificationResult result = await RoundTripAsync(authenticator, new DigestClient(Username, Password));

        Assert.Equal(DigestVerificationStatus.Authenticated, result.Status);
        Assert.True(result.IsAuthenticated);
        Assert.Equal(Username, result.Username);
        Assert.Same(DigestAlgorithm.Sha256, result.Algorithm);
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task VerifyAsync_Md5OnlyServerRoundTrip_AuthenticatesWithMd5()
    {
        (DigestAuthenticator authenticator, _) = Authenticator(algorithms: [DigestAlgorithm.Md5]);

        DigestVerificationResult result = await RoundTripAsync(authenticator, new DigestClient(Username, Password));

        Assert.True(result.IsAuthenticated);
        Assert.Same(DigestAlgorithm.Md5, result.Algorithm);
    }

    [Fact]
    public async Task VerifyAsync_ClientAnswersMd5ChallengeOfDualServer_Authenticates()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipResponse challenge = authenticator.CreateChallengeResponse(Register());
        // A client that only knows MD5 sees only the MD5 challenge.
        challenge.Headers.RemoveFirst("WWW-Authenticate");

        SipRequest retry = Register(cseq: 2);
        new DigestClient(Username, Password).Respond(challenge, Register()).ApplyTo(retry);
        DigestVerificationResult result = await authenticator.VerifyAsync(retry);

        Assert.True(result.IsAuthenticated);
        Assert.Same(DigestAlgorithm.Md5, result.Algorithm);
    }

    [Fact]
    public async Task VerifyAsync_ProxyMode_Uses407AndProxyHeaders()
    {
        (DigestAuthenticator authenticator, _) = Authenticator(proxyMode: true);
        SipRequest invite = Request("INVITE", 1, "sip:bob@example.com");

        DigestVerificationResult first = await authenticator.VerifyAsync(invite);
        SipResponse challenge = first.Response!;
        SipRequest retry = Request("INVITE", 2, "sip:bob@example.com");
        DigestClientResult answer = new DigestClient(Username, Password).Respond(challenge, invite);
        answer.ApplyTo(retry);
        DigestVerificationResult second = await authenticator.VerifyAsync(retry);

        Assert.Equal(407, challenge.StatusCode);
        Assert.Equal("Proxy Authentication Required", challenge.ReasonPhrase);
        Assert.Equal(2, challenge.Headers.CountOf("Proxy-Authenticate"));
        Assert.False(challenge.Headers.Contains("WWW-Authenticate"));
        Assert.Equal("Proxy-Authorization", Assert.Single(answer.Headers).Name);
        Assert.True(second.IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_ProxyModeWithAuthorizationHeader_IgnoresIt()
    {
        (DigestAuthenticator registrar, _) = Authenticator();
        (DigestAuthenticator proxy, _) = Authenticator(proxyMode: true);
        SipRequest retry = Register(cseq: 2);
        new DigestClient(Username, Password).Respond(registrar.CreateChallengeResponse(Register()), Register()).ApplyTo(retry);

        DigestVerificationResult result = await proxy.VerifyAsync(retry);

        Assert.Equal(DigestVerificationStatus.MissingCredentials, result.Status);
    }

    [Fact]
    public async Task VerifyAsync_WrongPassword_IsInvalidAndChallengedAgain()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();

        DigestVerificationResult result = await RoundTripAsync(authenticator, new DigestClient(Username, "wrong"));

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
        Assert.Null(result.Username);
        Assert.Equal(401, result.Response!.StatusCode);
        Assert.All(result.Response.Headers.GetAll("WWW-Authenticate"), value => Assert.False(DigestChallenge.Parse(value).Stale));
    }

    [Fact]
    public async Task VerifyAsync_CredentialsForAnotherRealm_AreNotAccepted()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        var otherRealm = new DigestAuthenticator(
            new DigestAuthenticatorOptions { Realm = "other.example.net" }, Store(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start));
        SipRequest retry = Register(cseq: 2);
        new DigestClient(Username, Password).Respond(otherRealm.CreateChallengeResponse(Register()), Register()).ApplyTo(retry);

        DigestVerificationResult result = await authenticator.VerifyAsync(retry);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(DigestVerificationStatus.MissingCredentials, result.Status);
        Assert.Equal(401, result.Response!.StatusCode);
    }

    [Fact]
    public async Task VerifyAsync_RealmEditedInValidCredentials_IsRejected()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        var store = new InMemoryCredentialStore();
        store.Add(Username, "other.example.net", Password);
        // The other realm's nonce, sent with our realm name and a digest over our realm: the nonce is bound to its realm.
        var otherRealm = new DigestAuthenticator(
            new DigestAuthenticatorOptions { Realm = "other.example.net" }, store, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start));
        DigestChallenge foreign = otherRealm.CreateChallenges()[0];
        SipRequest retry = Register(cseq: 2);
        retry.Headers.Add("Authorization", Forge(foreign.Nonce, Realm, "sip:example.com", "REGISTER", Password).ToString());

        DigestVerificationResult result = await authenticator.VerifyAsync(retry);

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
    }

    [Fact]
    public async Task VerifyAsync_UriDifferentFromRequestUri_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest first = Register();
        DigestClientResult answer = new DigestClient(Username, Password)
            .Respond((await authenticator.VerifyAsync(first)).Response!, first);
        SipRequest retry = Register(cseq: 2, requestUri: "sip:registrar2.example.com");
        answer.ApplyTo(retry);

        DigestVerificationResult result = await authenticator.VerifyAsync(retry);

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
    }

    [Fact]
    public async Task VerifyAsync_MethodDifferentFromDigestMethod_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest first = Register();
        DigestClientResult answer = new DigestClient(Username, Password)
            .Respond((await authenticator.VerifyAsync(first)).Response!, first);
        // Same credentials on an INVITE to the same URI: HA2 covers the method.
        SipRequest invite = Request("INVITE", 2, "sip:example.com");
        answer.ApplyTo(invite);

        DigestVerificationResult result = await authenticator.VerifyAsync(invite);

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
    }

    [Fact]
    public async Task VerifyAsync_UriWithDifferentHostCase_StillMatches()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:EXAMPLE.com", "REGISTER", Password).ToString());

        DigestVerificationResult result = await authenticator.VerifyAsync(request);

        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_ReplayedNonceCount_IsRejected()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest first = Register();
        DigestClientResult answer = new DigestClient(Username, Password)
            .Respond((await authenticator.VerifyAsync(first)).Response!, first);
        SipRequest original = Register(cseq: 2);
        SipRequest replay = Register(cseq: 2);
        answer.ApplyTo(original);
        answer.ApplyTo(replay);

        DigestVerificationResult accepted = await authenticator.VerifyAsync(original);
        DigestVerificationResult replayed = await authenticator.VerifyAsync(replay);

        Assert.True(accepted.IsAuthenticated);
        Assert.Equal(DigestVerificationStatus.Replayed, replayed.Status);
        Assert.Equal(401, replayed.Response!.StatusCode);
    }

    [Fact]
    public async Task VerifyAsync_LowerNonceCountAfterHigher_IsRejected()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest high = Register(cseq: 2);
        high.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, nc: 5).ToString());
        SipRequest low = Register(cseq: 3);
        low.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, nc: 3).ToString());
        SipRequest higher = Register(cseq: 4);
        higher.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, nc: 6).ToString());

        Assert.True((await authenticator.VerifyAsync(high)).IsAuthenticated);
        Assert.Equal(DigestVerificationStatus.Replayed, (await authenticator.VerifyAsync(low)).Status);
        Assert.True((await authenticator.VerifyAsync(higher)).IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_NonceCountZero_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, nc: 0).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_ClientReusesNonceWithIncrementingCount_Authenticates()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        var client = new DigestClient(Username, Password);
        Assert.True((await RoundTripAsync(authenticator, client)).IsAuthenticated);

        for (int cseq = 3; cseq < 6; cseq++)
        {
            SipRequest next = Register(cseq);
            Assert.True(client.TryAuthorize(next));
            DigestVerificationResult result = await authenticator.VerifyAsync(next);
            Assert.True(result.IsAuthenticated, $"CSeq {cseq}: {result.Status}");
        }
    }

    [Fact]
    public async Task VerifyAsync_ExpiredNonceWithCorrectDigest_IsStaleAndClientRecoversWithoutNewPassword()
    {
        (DigestAuthenticator authenticator, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = Authenticator();
        var client = new DigestClient(Username, Password);
        Assert.True((await RoundTripAsync(authenticator, client)).IsAuthenticated);
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        SipRequest later = Register(cseq: 3);
        Assert.True(client.TryAuthorize(later));

        DigestVerificationResult stale = await authenticator.VerifyAsync(later);

        Assert.Equal(DigestVerificationStatus.StaleNonce, stale.Status);
        IReadOnlyList<string> challenges = stale.Response!.Headers.GetAll("WWW-Authenticate");
        Assert.All(challenges, value => Assert.True(DigestChallenge.Parse(value).Stale));
        DigestClientResult answer = client.Respond(stale.Response, later);
        Assert.Equal(DigestClientStatus.Authorized, answer.Status);
        SipRequest retry = Register(cseq: 4);
        answer.ApplyTo(retry);
        Assert.True((await authenticator.VerifyAsync(retry)).IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_NonceJustInsideLifetime_IsAccepted()
    {
        (DigestAuthenticator authenticator, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        time.Advance(TimeSpan.FromMinutes(5));
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password).ToString());

        Assert.True((await authenticator.VerifyAsync(request)).IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_ExpiredNonceWithWrongPassword_IsInvalidNotStale()
    {
        (DigestAuthenticator authenticator, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        time.Advance(TimeSpan.FromMinutes(10));
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", "wrong").ToString());

        DigestVerificationResult result = await authenticator.VerifyAsync(request);

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
        Assert.All(result.Response!.Headers.GetAll("WWW-Authenticate"), value => Assert.False(DigestChallenge.Parse(value).Stale));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(-1)]
    public async Task VerifyAsync_TamperedNonceWithMatchingDigest_IsInvalid(int position)
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        int index = position < 0 ? nonce.Length - 1 : position;
        char replacement = nonce[index] == 'A' ? 'B' : 'A';
        string tampered = string.Concat(nonce.AsSpan(0, index), replacement.ToString(), nonce.AsSpan(index + 1));
        SipRequest request = Register(cseq: 2);
        // The digest is computed correctly over the tampered nonce, so only the nonce MAC can catch it.
        request.Headers.Add("Authorization", Forge(tampered, Realm, "sip:example.com", "REGISTER", Password).ToString());

        DigestVerificationResult result = await authenticator.VerifyAsync(request);

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, result.Status);
    }

    [Fact]
    public async Task VerifyAsync_NonceWithNonCanonicalLastCharacter_IsInvalidWithoutThrowing()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        // The last character carries 2 data bits and 4 unused bits: 'B' sets an unused bit, which the BCL decoder throws on.
        string tampered = string.Concat(nonce.AsSpan(0, nonce.Length - 1), "B");
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(tampered, Realm, "sip:example.com", "REGISTER", Password).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("dcd98b7102dd2f0e8b11d0f600bfb0c093")]
    [InlineData("!!!!")]
    public async Task VerifyAsync_ForeignNonce_IsInvalid(string nonce)
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_NonceFromAuthenticatorWithOtherSecret_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        var other = new DigestAuthenticator(
            new DigestAuthenticatorOptions { Realm = Realm, NonceSecret = new byte[32] }, Store(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start));
        string nonce = other.CreateChallenges()[0].Nonce;
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_WithoutQop_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        string ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Sha256, Username, Realm, Password);
        string digest = DigestCalculator.ComputeResponse(DigestAlgorithm.Sha256, ha1, nonce, null, null, null, "REGISTER", "sip:example.com");
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", new DigestCredentials(Username, Realm, nonce, "sip:example.com", digest) { Algorithm = "SHA-256" }.ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_AlgorithmNotOffered_IsInvalid()
    {
        (DigestAuthenticator authenticator, _) = Authenticator(algorithms: [DigestAlgorithm.Sha256]);
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, algorithm: DigestAlgorithm.Md5).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_MalformedCredentials_Answers400()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest request = Register(cseq: 2, extraHeaders: "Authorization: Digest username=\"alice\", realm=\"example.com\"\r\n");

        DigestVerificationResult result = await authenticator.VerifyAsync(request);

        Assert.Equal(DigestVerificationStatus.Malformed, result.Status);
        Assert.Equal(400, result.Response!.StatusCode);
    }

    [Fact]
    public async Task VerifyAsync_NonDigestScheme_IsTreatedAsMissing()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest request = Register(cseq: 2, extraHeaders: "Authorization: Basic YWxpY2U6c2VjcmV0\r\n");

        Assert.Equal(DigestVerificationStatus.MissingCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_UnknownUser_GetsChallengeShapedExactlyLikeWrongPassword()
    {
        var store = new CountingStore(Store());
        (DigestAuthenticator authenticator, _) = Authenticator(store: store);
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest unknown = Register(cseq: 2);
        unknown.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password, username: "mallory").ToString());
        SipRequest wrongPassword = Register(cseq: 2);
        wrongPassword.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", "guess", nc: 2).ToString());
        SipRequest none = Register(cseq: 2);

        DigestVerificationResult unknownResult = await authenticator.VerifyAsync(unknown);
        DigestVerificationResult wrongResult = await authenticator.VerifyAsync(wrongPassword);
        DigestVerificationResult noneResult = await authenticator.VerifyAsync(none);

        Assert.Equal(unknownResult.Status, wrongResult.Status);
        Assert.Equal(unknownResult.Username, wrongResult.Username);
        Assert.Equal(2, store.Lookups);
        string unknownText = Normalize(unknownResult.Response!);
        Assert.Equal(unknownText, Normalize(wrongResult.Response!));
        Assert.Equal(unknownText, Normalize(noneResult.Response!));
        Assert.Equal(
            unknownResult.Response!.Headers.Select(header => header.Name),
            wrongResult.Response!.Headers.Select(header => header.Name));
        Assert.Equal(
            ParameterNames(unknownResult.Response),
            ParameterNames(wrongResult.Response));
    }

    [Fact]
    public async Task VerifyAsync_KnownUserWithoutHa1ForAlgorithm_IsInvalid()
    {
        var store = new SingleAlgorithmStore(DigestAlgorithm.Md5);
        (DigestAuthenticator authenticator, _) = Authenticator(store: store);
        string nonce = authenticator.CreateChallenges()[0].Nonce;
        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", Forge(nonce, Realm, "sip:example.com", "REGISTER", Password).ToString());

        Assert.Equal(DigestVerificationStatus.InvalidCredentials, (await authenticator.VerifyAsync(request)).Status);
    }

    [Fact]
    public async Task VerifyAsync_MoreNoncesThanTracked_EvictedNonceIsStaleNotReplayable()
    {
        (DigestAuthenticator authenticator, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = Authenticator(maxTrackedNonces: 2);
        var clients = new List<DigestClient>();
        for (int i = 0; i < 3; i++)
        {
            var client = new DigestClient(Username, Password);
            Assert.True((await RoundTripAsync(authenticator, client)).IsAuthenticated);
            clients.Add(client);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        SipRequest oldNonce = Register(cseq: 10);
        clients[0].TryAuthorize(oldNonce);
        SipRequest newestNonce = Register(cseq: 11);
        clients[2].TryAuthorize(newestNonce);

        Assert.Equal(2, authenticator.TrackedNonceCount);
        Assert.Equal(DigestVerificationStatus.StaleNonce, (await authenticator.VerifyAsync(oldNonce)).Status);
        Assert.True((await authenticator.VerifyAsync(newestNonce)).IsAuthenticated);
    }

    [Fact]
    public async Task VerifyAsync_ManyNoncesInSameMillisecond_AllAuthenticateDespiteEviction()
    {
        (DigestAuthenticator authenticator, _) = Authenticator(maxTrackedNonces: 4);

        for (int i = 0; i < 20; i++)
        {
            DigestVerificationResult result = await RoundTripAsync(authenticator, new DigestClient(Username, Password));
            Assert.True(result.IsAuthenticated || result.Status == DigestVerificationStatus.StaleNonce, result.Status.ToString());
        }

        Assert.InRange(authenticator.TrackedNonceCount, 1, 4);
    }

    [Fact]
    public async Task VerifyAsync_ExpiredNoncesLeaveTheReplayMap()
    {
        (DigestAuthenticator authenticator, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = Authenticator(maxTrackedNonces: 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.True((await RoundTripAsync(authenticator, new DigestClient(Username, Password))).IsAuthenticated);
        }

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await RoundTripAsync(authenticator, new DigestClient(Username, Password))).IsAuthenticated);

        Assert.Equal(1, authenticator.TrackedNonceCount);
    }

    internal static async Task<DigestVerificationResult> RoundTripAsync(DigestAuthenticator authenticator, DigestClient client)
    {
        SipRequest first = Register();
        DigestVerificationResult challenged = await authenticator.VerifyAsync(first);
        Assert.Equal(DigestVerificationStatus.MissingCredentials, challenged.Status);
        DigestClientResult answer = client.Respond(challenged.Response!, first);
        Assert.Equal(DigestClientStatus.Authorized, answer.Status);
        SipRequest retry = Register(cseq: 2);
        answer.ApplyTo(retry);
        return await authenticator.VerifyAsync(retry);
    }

    internal static DigestCredentials Forge(
        string nonce,
        string realm,
        string uri,
        string method,
        string password,
        uint nc = 1,
        DigestAlgorithm? algorithm = null,
        string username = Username)
    {
        algorithm ??= DigestAlgorithm.Sha256;
        string ncText = nc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        string ha1 = DigestCalculator.ComputeHa1(algorithm, username, realm, password);
        string response = DigestCalculator.ComputeResponse(algorithm, ha1, nonce, ncText, "cafebabe", "auth", method, uri);
        return new DigestCredentials(username, realm, nonce, uri, response)
        {
            Algorithm = algorithm.Name,
            Qop = "auth",
            NonceCount = ncText,
            Cnonce = "cafebabe",
        };
    }

    private static string Normalize(SipResponse response) =>
        TagPattern().Replace(NoncePattern().Replace(response.ToString(), "nonce=\"N\""), "tag=T");

    private static List<string> ParameterNames(SipResponse response) =>
        response.Headers.GetAll("WWW-Authenticate")
            .Select(value => string.Join(',', ParameterNamePattern().Matches(value).Select(match => match.Groups[1].Value)))
            .ToList();

    [GeneratedRegex("nonce=\"[^\"]*\"")]
    private static partial Regex NoncePattern();

    [GeneratedRegex("tag=[0-9a-f]+")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"([A-Za-z-]+)=")]
    private static partial Regex ParameterNamePattern();

    private sealed class CountingStore(ICredentialStore inner) : ICredentialStore
    {
        public int Lookups { get; private set; }

        public ValueTask<DigestUserSecrets?> FindAsync(string username, string realm, CancellationToken cancellationToken = default)
        {
            Lookups++;
            return inner.FindAsync(username, realm, cancellationToken);
        }
    }

    private sealed class SingleAlgorithmStore(DigestAlgorithm algorithm) : ICredentialStore
    {
        public ValueTask<DigestUserSecrets?> FindAsync(string username, string realm, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<DigestUserSecrets?>(new DigestUserSecrets(new Dictionary<DigestAlgorithm, string>
            {
                [algorithm] = DigestCalculator.ComputeHa1(algorithm, username, realm, Password),
            }));
    }
}
