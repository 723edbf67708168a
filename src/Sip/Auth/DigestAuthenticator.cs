using System.Security.Cryptography;
using System.Text;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Auth;

/// <summary>
/// Server side of SIP digest authentication (RFC 3261 section 22, RFC 2617, RFC 8760) for a
/// registrar, UA or proxy. Nonces are stateless HMACs bound to the realm and an issue time; only
/// the nonce-count of nonces that authenticated successfully is remembered (bounded, expiring).
/// </summary>
/// <remarks>
/// Unknown users are treated like known users with a wrong password: the same status, the same
/// challenge headers, and the same computation (against a random dummy HA1).
/// </remarks>
public sealed class DigestAuthenticator
{
    private const string QopAuth = "auth";

    private readonly DigestAuthenticatorOptions _options;
    private readonly ICredentialStore _store;
    private readonly TimeProvider _time;
    private readonly NonceService _nonces;
    private readonly NonceCountTracker _nonceCounts;
    private readonly DigestAlgorithm[] _algorithms;
    private readonly Dictionary<DigestAlgorithm, string> _dummyHa1 = [];

    public DigestAuthenticator(DigestAuthenticatorOptions options, ICredentialStore store, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrEmpty(options.Realm) || options.Realm.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The realm must be non-empty and cannot contain CR or LF.", nameof(options));
        }

        if (options.NonceLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("The nonce lifetime must be positive.", nameof(options));
        }

        _algorithms = options.Algorithms.Distinct().OrderByDescending(algorithm => algorithm.Strength).ToArray();
        if (_algorithms.Length == 0)
        {
            throw new ArgumentException("At least one algorithm is required.", nameof(options));
        }

        _options = options;
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _nonces = new NonceService(options.Realm, options.NonceSecret, options.NonceLifetime, _time);
        _nonceCounts = new NonceCountTracker(options.MaxTrackedNonces, options.NonceLifetime);
        foreach (DigestAlgorithm algorithm in _algorithms)
        {
            _dummyHa1[algorithm] = algorithm.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        }
    }

    public string Realm => _options.Realm;

    public bool ProxyMode => _options.ProxyMode;

    /// <summary>The header this authenticator reads credentials from.</summary>
    public string CredentialsHeaderName => ProxyMode ? DigestHeaderNames.ProxyAuthorization : DigestHeaderNames.Authorization;

    /// <summary>The header this authenticator writes challenges to.</summary>
    public string ChallengeHeaderName => ProxyMode ? DigestHeaderNames.ProxyAuthenticate : DigestHeaderNames.WwwAuthenticate;

    /// <summary>Number of nonces currently tracked for nonce-count replay protection.</summary>
    public int TrackedNonceCount => _nonceCounts.Count;

    /// <summary>Fresh challenges sharing one new nonce: one per algorithm, strongest first, qop="auth".</summary>
    public IReadOnlyList<DigestChallenge> CreateChallenges(bool stale = false)
    {
        string nonce = _nonces.Create();
        var challenges = new List<DigestChallenge>(_algorithms.Length);
        foreach (DigestAlgorithm algorithm in _algorithms)
        {
            challenges.Add(new DigestChallenge(Realm, nonce)
            {
                Opaque = _nonces.Opaque,
                Algorithm = algorithm.Name,
                QopOptions = [QopAuth],
                Stale = stale,
            });
        }

        return challenges;
    }

    /// <summary>The 401 (or 407 in proxy mode) carrying fresh challenges for this request.</summary>
    public SipResponse CreateChallengeResponse(SipRequest request, bool stale = false) =>
        AuthResponses.CreateChallenge(request, CreateChallenges(stale), ProxyMode);

    /// <summary>
    /// Checks the request's Digest credentials for this realm. When the result is not authenticated,
    /// <see cref="DigestVerificationResult.Response"/> is the response to send.
    /// </summary>
    public async ValueTask<DigestVerificationResult> VerifyAsync(SipRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DigestCredentials? credentials = null;
        bool sawMalformed = false;
        foreach (string value in request.Headers.GetAll(CredentialsHeaderName))
        {
            if (!IsDigestScheme(value))
            {
                continue;
            }

            if (!DigestCredentials.TryParse(value, out DigestCredentials? parsed))
            {
                sawMalformed = true;
                continue;
            }

            if (string.Equals(parsed.Realm, Realm, StringComparison.Ordinal))
            {
                credentials = parsed;
                break;
            }
        }

        if (credentials is null)
        {
            return sawMalformed
                ? Fail(DigestVerificationStatus.Malformed, AuthResponses.CreateResponse(request, 400, "Bad Request"))
                : Challenge(request, DigestVerificationStatus.MissingCredentials);
        }

        // Checks that do not depend on who the user is come first; none of them consults the store.
        if (!DigestAlgorithm.TryFromName(credentials.Algorithm, out DigestAlgorithm? algorithm)
            || Array.IndexOf(_algorithms, algorithm) < 0
            || !string.Equals(credentials.Qop, QopAuth, StringComparison.OrdinalIgnoreCase)
            || credentials.NonceCountValue is not uint nonceCount
            || nonceCount == 0
            || (credentials.Opaque is not null && !string.Equals(credentials.Opaque, _nonces.Opaque, StringComparison.Ordinal))
            || !UriMatches(credentials.Uri, request.RequestUri))
        {
            return Challenge(request, DigestVerificationStatus.InvalidCredentials);
        }

        NonceState nonceState = _nonces.Check(credentials.Nonce, out DateTimeOffset issuedAt);
        if (nonceState == NonceState.Invalid)
        {
            return Challenge(request, DigestVerificationStatus.InvalidCredentials);
        }

        // Same work for unknown and known users: compute against a dummy HA1 when there is no real one.
        DigestUserSecrets? secrets = await _store.FindAsync(credentials.Username, credentials.Realm, cancellationToken).ConfigureAwait(false);
        string? storedHa1 = secrets?.GetHa1(algorithm);
        string ha1 = storedHa1 ?? _dummyHa1[algorithm];
        string expected = DigestCalculator.ComputeResponse(
            algorithm, ha1, credentials.Nonce, credentials.NonceCount, credentials.Cnonce, credentials.Qop, request.Method, credentials.Uri);
        bool digestMatches = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant()));
        if (!(digestMatches & storedHa1 is not null))
        {
            return Challenge(request, DigestVerificationStatus.InvalidCredentials);
        }

        if (nonceState == NonceState.Expired)
        {
            return Challenge(request, DigestVerificationStatus.StaleNonce, stale: true);
        }

        switch (_nonceCounts.TryAccept(credentials.Nonce, issuedAt, nonceCount, _time.GetUtcNow()))
        {
            case NonceCountResult.Replayed:
                return Challenge(request, DigestVerificationStatus.Replayed);
            case NonceCountResult.Forgotten:
                return Challenge(request, DigestVerificationStatus.StaleNonce, stale: true);
            default:
                return new DigestVerificationResult(DigestVerificationStatus.Authenticated, null, credentials.Username, algorithm);
        }
    }

    private static bool IsDigestScheme(string value)
    {
        ReadOnlySpan<char> text = value.AsSpan().TrimStart(" \t");
        return text.StartsWith(DigestHeaderNames.DigestScheme, StringComparison.OrdinalIgnoreCase)
            && (text.Length == DigestHeaderNames.DigestScheme.Length || text[DigestHeaderNames.DigestScheme.Length] is ' ' or '\t');
    }

    private static bool UriMatches(string digestUri, AddressUri requestUri)
    {
        // RFC 2617 section 3.2.2.5: the digest-uri must name the Request-URI. Accept the exact text or
        // a URI that parses to the same structure (escaping or host case may differ).
        if (string.Equals(digestUri, requestUri.ToString(), StringComparison.Ordinal))
        {
            return true;
        }

        return AddressUri.TryParse(digestUri, out AddressUri? parsed) && parsed.Equals(requestUri);
    }

    private static DigestVerificationResult Fail(DigestVerificationStatus status, SipResponse response) =>
        new(status, response, null, null);

    private DigestVerificationResult Challenge(SipRequest request, DigestVerificationStatus status, bool stale = false) =>
        Fail(status, CreateChallengeResponse(request, stale));
}
