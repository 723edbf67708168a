namespace CallCenter.Sip.Auth;

public enum DigestVerificationStatus
{
    /// <summary>The credentials are valid; <see cref="DigestVerificationResult.Username"/> is set.</summary>
    Authenticated,

    /// <summary>No Digest credentials for this realm: answer with the challenge.</summary>
    MissingCredentials,

    /// <summary>
    /// Wrong password, unknown user, wrong uri, unknown nonce or algorithm, ... These are deliberately
    /// one status, so a caller cannot leak which one it was.
    /// </summary>
    InvalidCredentials,

    /// <summary>The digest was right but the nonce expired: the challenge carries stale=true.</summary>
    StaleNonce,

    /// <summary>The digest was right but its nonce-count was not higher than one already used.</summary>
    Replayed,

    /// <summary>A credentials header could not be parsed: answer 400.</summary>
    Malformed,
}

/// <summary>The outcome of <see cref="DigestAuthenticator.VerifyAsync"/>.</summary>
public sealed class DigestVerificationResult
{
    internal DigestVerificationResult(DigestVerificationStatus status, SipResponse? response, string? username, DigestAlgorithm? algorithm)
    {
        Status = status;
        Response = response;
        Username = username;
        Algorithm = algorithm;
    }

    public DigestVerificationStatus Status { get; }

    public bool IsAuthenticated => Status == DigestVerificationStatus.Authenticated;

    /// <summary>The authenticated username; null unless <see cref="IsAuthenticated"/>.</summary>
    public string? Username { get; }

    /// <summary>The algorithm the client used; null unless <see cref="IsAuthenticated"/>.</summary>
    public DigestAlgorithm? Algorithm { get; }

    /// <summary>
    /// The response to send when the request is not authenticated: a 401/407 challenge (stale=true
    /// for <see cref="DigestVerificationStatus.StaleNonce"/>) or a 400 for malformed credentials.
    /// </summary>
    public SipResponse? Response { get; }
}
