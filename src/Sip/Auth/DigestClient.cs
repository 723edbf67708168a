using System.Globalization;
using System.Security.Cryptography;

namespace CallCenter.Sip.Auth;

public enum DigestClientStatus
{
    /// <summary>Credentials were computed; add <see cref="DigestClientResult.Headers"/> to the retried request.</summary>
    Authorized,

    /// <summary>
    /// The challenged request already carried our credentials for the realm and the challenge is not
    /// stale: the username or password is wrong. Ask the user instead of retrying.
    /// </summary>
    CredentialsRejected,

    /// <summary>No Digest challenge with a supported algorithm and qop (auth, or none) was offered.</summary>
    NoSupportedChallenge,
}

/// <summary>The outcome of <see cref="DigestClient.Respond"/>.</summary>
public sealed class DigestClientResult
{
    internal DigestClientResult(DigestClientStatus status, IReadOnlyList<SipHeader> headers)
    {
        Status = status;
        Headers = headers;
    }

    public DigestClientStatus Status { get; }

    /// <summary>One Authorization or Proxy-Authorization header per challenged realm.</summary>
    public IReadOnlyList<SipHeader> Headers { get; }

    /// <summary>
    /// Adds the headers to <paramref name="request"/>, replacing Digest credentials it already holds
    /// for the same header and realm.
    /// </summary>
    public void ApplyTo(SipRequest request)
    {
        foreach (SipHeader header in Headers)
        {
            string realm = DigestCredentials.Parse(header.Value).Realm;
            DigestClient.RemoveCredentials(request, header.Name, realm);
            request.Headers.Add(header);
        }
    }
}

/// <summary>
/// Client side of SIP digest authentication: answers 401/407 challenges for one username and
/// password. It picks the strongest offered algorithm (SHA-256 over MD5), uses qop=auth with a
/// random cnonce and a per-nonce nonce-count, or no qop when the challenge offers none (RFC 2069).
/// A stale=true challenge is answered again with the same password. Thread-safe.
/// </summary>
public sealed class DigestClient
{
    private const string QopAuth = "auth";

    private readonly string _username;
    private readonly string _password;
    private readonly Func<string> _cnonceFactory;
    private readonly Dictionary<(string HeaderName, string Realm), CachedChallenge> _cache = [];
    private readonly Lock _lock = new();

    /// <param name="username">The digest username (usually the user part of the AOR).</param>
    /// <param name="password">The password; HA1 is derived from it per realm and algorithm.</param>
    /// <param name="cnonceFactory">Makes client nonces; by default 16 random bytes as hex.</param>
    public DigestClient(string username, string password, Func<string>? cnonceFactory = null)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        _username = username;
        _password = password;
        _cnonceFactory = cnonceFactory ?? (() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
    }

    public string Username => _username;

    /// <summary>
    /// Computes credentials answering the challenges in <paramref name="challengeResponse"/> (its
    /// WWW-Authenticate and Proxy-Authenticate headers) for a retry of <paramref name="challengedRequest"/>
    /// (same method and Request-URI; the caller increments CSeq).
    /// </summary>
    public DigestClientResult Respond(SipResponse challengeResponse, SipRequest challengedRequest)
    {
        ArgumentNullException.ThrowIfNull(challengeResponse);
        ArgumentNullException.ThrowIfNull(challengedRequest);
        var best = new Dictionary<(string HeaderName, string Realm), (DigestChallenge Challenge, DigestAlgorithm Algorithm)>();
        foreach (SipHeader header in challengeResponse.Headers)
        {
            if (header.Name != DigestHeaderNames.WwwAuthenticate && header.Name != DigestHeaderNames.ProxyAuthenticate)
            {
                continue;
            }

            if (!DigestChallenge.TryParse(header.Value, out DigestChallenge? challenge)
                || !DigestAlgorithm.TryFromName(challenge.Algorithm, out DigestAlgorithm? algorithm)
                || (challenge.QopOptions.Count > 0 && !challenge.OffersQopAuth))
            {
                continue;
            }

            var key = (DigestHeaderNames.CredentialsHeaderFor(header.Name), challenge.Realm);
            if (!best.TryGetValue(key, out var current) || algorithm.Strength > current.Algorithm.Strength)
            {
                best[key] = (challenge, algorithm);
            }
        }

        if (best.Count == 0)
        {
            return new DigestClientResult(DigestClientStatus.NoSupportedChallenge, []);
        }

        lock (_lock)
        {
            foreach (((string headerName, string realm), (DigestChallenge challenge, _)) in best)
            {
                if (!challenge.Stale && HasCredentials(challengedRequest, headerName, realm))
                {
                    _cache.Remove((headerName, realm));
                    return new DigestClientResult(DigestClientStatus.CredentialsRejected, []);
                }
            }

            var headers = new List<SipHeader>(best.Count);
            foreach (((string headerName, string realm), (DigestChallenge challenge, DigestAlgorithm algorithm)) in best)
            {
                CachedChallenge cached = _cache.TryGetValue((headerName, realm), out CachedChallenge? previous)
                    && previous.Challenge.Nonce == challenge.Nonce && previous.Algorithm == algorithm
                        ? previous
                        : new CachedChallenge(challenge, algorithm);
                _cache[(headerName, realm)] = cached;
                headers.Add(new SipHeader(headerName, BuildCredentials(cached, challengedRequest).ToString()));
            }

            return new DigestClientResult(DigestClientStatus.Authorized, headers);
        }
    }

    /// <summary>
    /// Adds credentials for every realm challenged before (same nonce, next nonce-count) to a new
    /// request, replacing any it holds. Returns false when nothing is cached.
    /// </summary>
    public bool TryAuthorize(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            foreach (((string headerName, string realm), CachedChallenge cached) in _cache)
            {
                RemoveCredentials(request, headerName, realm);
                request.Headers.Add(headerName, BuildCredentials(cached, request).ToString());
            }

            return _cache.Count > 0;
        }
    }

    internal static void RemoveCredentials(SipRequest request, string headerName, string realm)
    {
        List<SipHeader> kept = request.Headers
            .Where(header => header.Name == headerName
                && !(DigestCredentials.TryParse(header.Value, out DigestCredentials? existing) && existing.Realm == realm))
            .ToList();
        request.Headers.RemoveAll(headerName);
        foreach (SipHeader header in kept)
        {
            request.Headers.Add(header);
        }
    }

    private static bool HasCredentials(SipRequest request, string headerName, string realm) =>
        request.Headers.GetAll(headerName)
            .Any(value => DigestCredentials.TryParse(value, out DigestCredentials? credentials) && credentials.Realm == realm);

    private DigestCredentials BuildCredentials(CachedChallenge cached, SipRequest request)
    {
        DigestChallenge challenge = cached.Challenge;
        DigestAlgorithm algorithm = cached.Algorithm;
        string uri = request.RequestUri.ToString();
        string ha1 = DigestCalculator.ComputeHa1(algorithm, _username, challenge.Realm, _password);
        if (!challenge.OffersQopAuth)
        {
            // RFC 2069 compatibility: no qop, cnonce or nc.
            string legacy = DigestCalculator.ComputeResponse(algorithm, ha1, challenge.Nonce, null, null, null, request.Method, uri);
            return new DigestCredentials(_username, challenge.Realm, challenge.Nonce, uri, legacy)
            {
                Algorithm = challenge.Algorithm,
                Opaque = challenge.Opaque,
            };
        }

        cached.Count++;
        string nonceCount = cached.Count.ToString("x8", CultureInfo.InvariantCulture);
        string cnonce = _cnonceFactory();
        string response = DigestCalculator.ComputeResponse(algorithm, ha1, challenge.Nonce, nonceCount, cnonce, QopAuth, request.Method, uri);
        return new DigestCredentials(_username, challenge.Realm, challenge.Nonce, uri, response)
        {
            Algorithm = challenge.Algorithm,
            Opaque = challenge.Opaque,
            Qop = QopAuth,
            Cnonce = cnonce,
            NonceCount = nonceCount,
        };
    }

    private sealed class CachedChallenge(DigestChallenge challenge, DigestAlgorithm algorithm)
    {
        public DigestChallenge Challenge { get; } = challenge;

        public DigestAlgorithm Algorithm { get; } = algorithm;

        public uint Count { get; set; }
    }
}
