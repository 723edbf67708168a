namespace CallCenter.Sip.Auth;

/// <summary>The four authentication headers of RFC 3261 section 22 and the Digest scheme name.</summary>
public static class DigestHeaderNames
{
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string Authorization = "Authorization";
    public const string ProxyAuthorization = "Proxy-Authorization";

    /// <summary>The auth-scheme token; compared case-insensitively.</summary>
    public const string DigestScheme = "Digest";

    /// <summary>The credentials header that answers a challenge header (Authorization for WWW-Authenticate).</summary>
    public static string CredentialsHeaderFor(string challengeHeader) =>
        SipHeaderNames.Canonicalize(challengeHeader) == ProxyAuthenticate ? ProxyAuthorization : Authorization;
}
