using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Uris;

/// <summary>
/// Any absoluteURI whose scheme is not sip/sips (tel:, http:, unknown schemes). The part after
/// the colon is kept exactly as received: this layer does not interpret other schemes.
/// </summary>
public sealed class OpaqueUri : AddressUri
{
    public OpaqueUri(string scheme, string schemeSpecificPart)
    {
        Scheme = scheme.ToLowerInvariant();
        SchemeSpecificPart = schemeSpecificPart;
    }

    public override string Scheme { get; }

    /// <summary>Everything after "scheme:", undecoded.</summary>
    public string SchemeSpecificPart { get; }

    public override bool Equals(AddressUri? other) =>
        other is OpaqueUri opaque
        && opaque.Scheme == Scheme
        && string.Equals(opaque.SchemeSpecificPart, SchemeSpecificPart, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Scheme, SchemeSpecificPart);

    public override string ToString() => Scheme + ":" + SchemeSpecificPart;

    internal static OpaqueUri ParseAfterScheme(string scheme, string text, int start)
    {
        if (start >= text.Length)
        {
            throw new SipParseException($"URI '{Shorten(text)}' is empty after its scheme");
        }

        for (int i = start; i < text.Length; i++)
        {
            if (!SipGrammar.IsUricChar(text[i]))
            {
                throw new SipParseException($"URI '{Shorten(text)}' contains the invalid character '{text[i]}'");
            }
        }

        return new OpaqueUri(scheme, text[start..]);
    }
}
