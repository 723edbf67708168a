using System.Security.Cryptography;

namespace CallCenter.WebRtc.Ice;

/// <summary>An ICE username fragment and password (RFC 8445 section 5.3, syntax of RFC 8839 section 5.4).</summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    /// <summary>8 ice-chars of 6 bits each: 48 bits, above the 24 bits RFC 8445 section 5.3 asks of the ufrag.</summary>
    public const int GeneratedUfragLength = 8;

    /// <summary>24 ice-chars: 144 bits, above the 128 bits asked of the password (and above the 22-char minimum).</summary>
    public const int GeneratedPasswordLength = 24;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static IceCredentials Generate(RandomNumberGenerator random)
        => new(RandomIceString(random, GeneratedUfragLength), RandomIceString(random, GeneratedPasswordLength));

    /// <summary>RFC 8839 section 5.4: ufrag 4 to 256 ice-chars, pwd 22 to 256 ice-chars.</summary>
    public static bool IsValid(string? ufrag, string? password)
        => ufrag is { Length: >= 4 and <= 256 } && password is { Length: >= 22 and <= 256 }
           && ufrag.All(IsIceChar) && password.All(IsIceChar);

    /// <summary>Leaves the password out, so logging the credentials never leaks it.</summary>
    public override string ToString() => $"IceCredentials {{ Ufrag = {Ufrag} }}";

    public static bool IsIceChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    private static string RandomIceString(RandomNumberGenerator random, int length)
    {
        var bytes = new byte[length];
        random.GetBytes(bytes);
        // 64 symbols divide 256 evenly, so masking to 6 bits keeps every symbol equally likely.
        return string.Create(length, bytes, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = IceChars[source[i] & 63];
            }
        });
    }
}
