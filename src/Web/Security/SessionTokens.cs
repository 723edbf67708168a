using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CallCenter.Model;

namespace CallCenter.Web.Security;

/// <summary>
/// Signed, expiring session tokens: "v1.&lt;claims&gt;.&lt;HMAC-SHA256&gt;" in base64url. Every silo that shares the
/// signing key accepts the tokens of the others, so a desktop may reconnect to any of them.
/// </summary>
public sealed class SessionTokens
{
    private const string Version = "v1";
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public SessionTokens(byte[] key, TimeProvider time)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("the token signing key must be at least 32 bytes", nameof(key));
        }

        _key = key;
        _time = time;
    }

    public string Issue(Principal principal, TimeSpan lifetime, out DateTimeOffset expiresAt)
    {
        expiresAt = _time.GetUtcNow() + lifetime;
        var claims = new TokenClaims(principal.UserId, principal.Role, principal.TenantId, principal.AgentId, principal.PartnerOrganization, principal.SessionId, expiresAt.ToUnixTimeSeconds(), principal.SessionEpoch);
        var body = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        return $"{Version}.{body}.{Sign(body)}";
    }

    /// <summary>The principal of a well-signed token that has not expired; otherwise why not.</summary>
    public TokenCheck Validate(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 } || parts[0] != Version)
        {
            return TokenCheck.Fail("malformed token");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[1])), Encoding.ASCII.GetBytes(parts[2])))
        {
            return TokenCheck.Fail("token signature does not match");
        }

        TokenClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<TokenClaims>(FromBase64Url(parts[1]));
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            return TokenCheck.Fail("malformed token");
        }

        if (claims is null)
        {
            return TokenCheck.Fail("malformed token");
        }

        if (_time.GetUtcNow().ToUnixTimeSeconds() >= claims.Exp)
        {
            return TokenCheck.Fail("token expired");
        }

        return new TokenCheck(new Principal(claims.Sub, claims.Role, claims.Tenant, claims.Agent, claims.Org, claims.Sid, claims.Gen), null);
    }

    private string Sign(string body) => Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    private sealed record TokenClaims(string Sub, UserRole Role, string Tenant, string? Agent, string? Org, string Sid, long Exp, long Gen = 0);
}

public sealed record TokenCheck(Principal? Principal, string? Error)
{
    public static TokenCheck Fail(string error) => new(null, error);
}
