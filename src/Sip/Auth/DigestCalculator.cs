namespace CallCenter.Sip.Auth;

/// <summary>
/// The digest computations of RFC 2617 section 3.2.2 (without the -sess variants and without
/// auth-int), applied to SIP as RFC 3261 section 22.4 describes. All values are lower-case hex.
/// </summary>
public static class DigestCalculator
{
    /// <summary>HA1 = H(username ":" realm ":" password).</summary>
    public static string ComputeHa1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        algorithm.Hash($"{username}:{realm}:{password}");

    /// <summary>HA2 = H(method ":" digest-uri) for qop=auth or no qop.</summary>
    public static string ComputeHa2(DigestAlgorithm algorithm, string method, string digestUri) =>
        algorithm.Hash($"{method}:{digestUri}");

    /// <summary>
    /// The request-digest. With qop ("auth"): H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2).
    /// Without qop (RFC 2069 compatibility): H(HA1 ":" nonce ":" HA2); nc and cnonce are ignored.
    /// </summary>
    public static string ComputeResponse(
        DigestAlgorithm algorithm,
        string ha1,
        string nonce,
        string? nonceCount,
        string? cnonce,
        string? qop,
        string method,
        string digestUri)
    {
        string ha2 = ComputeHa2(algorithm, method, digestUri);
        if (string.IsNullOrEmpty(qop))
        {
            return algorithm.Hash($"{ha1}:{nonce}:{ha2}");
        }

        return algorithm.Hash($"{ha1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }
}
