namespace CallCenter.Sip.Auth;

/// <summary>Settings of a <see cref="DigestAuthenticator"/>.</summary>
public sealed class DigestAuthenticatorOptions
{
    /// <summary>The protection realm, for example the registrar's domain. Compared exactly.</summary>
    public required string Realm { get; init; }

    /// <summary>How long a nonce is accepted. After that a correct digest gets a stale=true challenge.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The algorithms to offer and accept. Challenges are issued strongest first (SHA-256, then MD5)
    /// whatever the order here.
    /// </summary>
    public IReadOnlyList<DigestAlgorithm> Algorithms { get; init; } = DigestAlgorithm.Supported;

    /// <summary>
    /// Proxy mode: challenge with 407 and Proxy-Authenticate and read Proxy-Authorization.
    /// Otherwise (registrar or UA) 401 with WWW-Authenticate and Authorization.
    /// </summary>
    public bool ProxyMode { get; init; }

    /// <summary>How many nonces the nonce-count replay map tracks before it evicts the oldest.</summary>
    public int MaxTrackedNonces { get; init; } = 10_000;

    /// <summary>
    /// The HMAC key for nonces (at least 32 bytes). Null uses a random per-process secret; set the same
    /// value on every instance behind a load balancer so their nonces are interchangeable.
    /// </summary>
    public byte[]? NonceSecret { get; init; }
}
