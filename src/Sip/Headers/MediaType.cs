using System.Text;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Headers;

/// <summary>media-type = m-type SLASH m-subtype *(SEMI m-parameter), as in Content-Type.</summary>
public sealed class MediaType
{
    public MediaType(string type, string subtype)
    {
        Type = type;
        Subtype = subtype;
    }

    public string Type { get; }

    public string Subtype { get; }

    public SipParameters Parameters { get; } = new();

    /// <summary>"type/subtype" in lower case, for comparisons.</summary>
    public string MimeType => (Type + "/" + Subtype).ToLowerInvariant();

    public static MediaType Parse(string value)
    {
        const string context = "Content-Type";
        string text = value;
        int i = SipGrammar.SkipWhitespace(text, 0);
        int typeStart = i;
        while (i < text.Length && SipGrammar.IsTokenChar(text[i]))
        {
            i++;
        }

        string type = text[typeStart..i];
        i = SipGrammar.SkipWhitespace(text, i);
        if (type.Length == 0 || i >= text.Length || text[i] != '/')
        {
            throw new SipParseException($"{context}: expected type/subtype");
        }

        i = SipGrammar.SkipWhitespace(text, i + 1);
        int subtypeStart = i;
        while (i < text.Length && SipGrammar.IsTokenChar(text[i]))
        {
            i++;
        }

        string subtype = text[subtypeStart..i];
        if (subtype.Length == 0)
        {
            throw new SipParseException($"{context}: missing subtype");
        }

        var mediaType = new MediaType(type, subtype);
        HeaderValueReader.ReadParameters(text, ref i, mediaType.Parameters, context);
        return mediaType;
    }

    /// <summary>Parses an Accept media-range; null when it is malformed.</summary>
    public static MediaType? TryParseRange(string value)
    {
        try
        {
            return Parse(value);
        }
        catch (SipParseException)
        {
            return null;
        }
    }

    /// <summary>True when this media range ("*/*", "application/*", "application/sdp") covers the type.</summary>
    public bool Matches(string mimeType)
    {
        int slash = mimeType.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        bool typeMatches = Type == "*" || Type.Equals(mimeType[..slash], StringComparison.OrdinalIgnoreCase);
        bool subtypeMatches = Subtype == "*" || Subtype.Equals(mimeType[(slash + 1)..], StringComparison.OrdinalIgnoreCase);
        return typeMatches && subtypeMatches;
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append(Type).Append('/').Append(Subtype);
        Parameters.AppendTo(builder);
        return builder.ToString();
    }
}
