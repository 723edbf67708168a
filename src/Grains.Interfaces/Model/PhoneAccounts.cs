using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Model;

/// <summary>
/// An agent phone's SIP account as stored: the digest username (the user part of its address-of-record), the agent it
/// rings for, the tenant of that agent, and HA1 = H(username:realm:password) for MD5 and SHA-256 (RFC 7616). The
/// password itself is never stored: HA1 is all a registrar needs to verify a digest response.
/// </summary>
[GenerateSerializer, Immutable, Alias("callcenter.phone-account")]
public sealed record PhoneAccount
{
    [Id(0)] public required string Username { get; init; }
    [Id(1)] public required string AgentId { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    /// <summary>The digest realm the HA1 values were computed for; they verify nothing in another realm.</summary>
    [Id(3)] public required string Realm { get; init; }
    /// <summary>Lower-case hex MD5(username:realm:password).</summary>
    [Id(4)] public required string Ha1Md5 { get; init; }
    /// <summary>Lower-case hex SHA-256(username:realm:password).</summary>
    [Id(5)] public required string Ha1Sha256 { get; init; }

    /// <summary>HA1 values are secrets (they authenticate as the phone in their realm): never in logs.</summary>
    public override string ToString() => $"PhoneAccount {{ Username = {Username}, AgentId = {AgentId}, TenantId = {TenantId}, Realm = {Realm} }}";
}

/// <summary>
/// Digest HA1 for phone accounts (RFC 2617 section 3.2.2.2, RFC 7616 section 3.4.2) and the rules a phone username and
/// password follow. Plain code with no SIP stack in it, so the web API, the edge and the demo seeding hash alike.
/// </summary>
public static class PhoneDigest
{
    public const int MaxUsernameLength = 64;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int Ha1Md5Length = 32;
    public const int Ha1Sha256Length = 64;

    /// <summary>Hashes a password into an account; the password goes no further than this call.</summary>
    public static PhoneAccount Create(string username, string agentId, string tenantId, string realm, string password) => new()
    {
        Username = username,
        AgentId = agentId,
        TenantId = tenantId,
        Realm = realm,
        Ha1Md5 = Md5Ha1(username, realm, password),
        Ha1Sha256 = Sha256Ha1(username, realm, password),
    };

#pragma warning disable CA5351 // MD5 is what RFC 2617 digest authentication (and baresip 1.0) is defined over.
    public static string Md5Ha1(string username, string realm, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}")));
#pragma warning restore CA5351

    public static string Sha256Ha1(string username, string realm, string password) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}")));

    /// <summary>
    /// Why a username cannot be a phone account, or null: 1 to 64 characters of letters, digits and "-._~" (RFC 3261
    /// unreserved characters, so it needs no escaping in a SIP URI or a digest header).
    /// </summary>
    public static string? UsernameProblem(string? username)
    {
        if (string.IsNullOrEmpty(username) || username.Length > MaxUsernameLength)
        {
            return $"username: 1 to {MaxUsernameLength} characters";
        }

        return username.All(IsUnreserved) ? null : "username: only letters, digits and - . _ ~";
    }

    /// <summary>
    /// Why a password cannot protect a phone, or null: 8 to 128 printable ASCII characters without '"' or '\' (what a
    /// desk phone's keypad or web page can enter, and what digest quoting leaves alone).
    /// </summary>
    public static string? PasswordProblem(string? password)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            return $"password: {MinPasswordLength} to {MaxPasswordLength} characters";
        }

        return password.All(c => c is > ' ' and < '\u007f' and not '"' and not '\\')
            ? null
            : "password: printable ASCII only, no spaces, '\"' or '\\'";
    }

    /// <summary>Whether a value is a lower- or upper-case hex HA1 of the given length.</summary>
    public static bool IsHa1(string? value, int length) =>
        value is not null && value.Length == length && value.All(char.IsAsciiHexDigit);

    /// <summary>A random password a desktop shows its agent once: 20 characters from an unambiguous alphabet.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
