using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Uris;

/// <summary>
/// A URI as it appears in a Request-URI or inside a name-addr: either a structured
/// <see cref="SipUri"/> (sip:/sips:) or an <see cref="OpaqueUri"/> for every other scheme.
/// </summary>
public abstract class AddressUri : IEquatable<AddressUri>
{
    /// <summary>The scheme in lower case ("sip", "sips", "tel", ...).</summary>
    public abstract string Scheme { get; }

    public static AddressUri Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new SipParseException($"URI '{Shorten(text)}' has no scheme");
        }

        string scheme = text[..colon];
        if (!SipGrammar.IsAlpha(scheme[0]))
        {
            throw new SipParseException($"URI '{Shorten(text)}' has a scheme that does not start with a letter");
        }

        foreach (char c in scheme)
        {
            if (!SipGrammar.IsAlphaNum(c) && c is not '+' and not '-' and not '.')
            {
                throw new SipParseException($"URI '{Shorten(text)}' has an invalid character in its scheme");
            }
        }

        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase)
            || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
        {
            return SipUri.ParseAfterScheme(scheme.Length == 4, text, colon + 1);
        }

        return OpaqueUri.ParseAfterScheme(scheme.ToLowerInvariant(), text, colon + 1);
    }

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AddressUri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (SipParseException)
        {
            uri = null;
            return false;
        }
    }

    public abstract bool Equals(AddressUri? other);

    public override bool Equals(object? obj) => obj is AddressUri other && Equals(other);

    public abstract override int GetHashCode();

    public abstract override string ToString();

    internal static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
