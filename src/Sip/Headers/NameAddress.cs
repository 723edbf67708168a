using System.Text;
using CallCenter.Sip.Parsing;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Headers;

/// <summary>
/// A name-addr or addr-spec with header parameters, as used by From, To, Contact, Route,
/// Record-Route and Reply-To: <c>"Display" &lt;sip:user@host;uri-param&gt;;tag=abc</c>.
/// In the bare addr-spec form (no angle brackets) every ";param" belongs to the header,
/// never to the URI (RFC 3261 section 20.10).
/// </summary>
public sealed class NameAddress
{
    public NameAddress(AddressUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>The display name without quotes or quoted-pair escapes, or null when absent.</summary>
    public string? DisplayName { get; set; }

    public AddressUri Uri { get; set; }

    /// <summary>Header parameters after the address (tag, expires, q, ...).</summary>
    public SipParameters Parameters { get; } = new();

    /// <summary>The "tag" parameter of From/To.</summary>
    public string? Tag => Parameters.Get("tag");

    /// <summary>Parses a single name-addr / addr-spec value with its parameters.</summary>
    public static NameAddress Parse(string value, string headerName = "address", bool requireAngleBrackets = false)
    {
        string context = headerName;
        string text = value.Trim(' ', '\t');
        if (text.Length == 0)
        {
            throw new SipParseException($"{context} header is empty");
        }

        int laquot = FindUnquoted(text, '<');
        if (laquot < 0)
        {
            if (requireAngleBrackets)
            {
                throw new SipParseException($"{context} value must be a name-addr in angle brackets");
            }

            return ParseAddrSpecForm(text, context);
        }

        string? displayName = ParseDisplayName(text.AsSpan(0, laquot), text, context);
        int raquot = text.IndexOf('>', laquot + 1);
        if (raquot < 0)
        {
            throw new SipParseException($"{context} has '<' without a matching '>'");
        }

        string uriText = text[(laquot + 1)..raquot];
        if (uriText.Length == 0 || SipGrammar.IsWhitespace(uriText[0]) || SipGrammar.IsWhitespace(uriText[^1]))
        {
            throw new SipParseException($"{context} has whitespace inside '<...>'");
        }

        var address = new NameAddress(AddressUri.Parse(uriText), displayName);
        int index = raquot + 1;
        HeaderValueReader.ReadParameters(text, ref index, address.Parameters, context);
        return address;
    }

    public override string ToString()
    {
        var builder = new StringBuilder(64);
        AppendTo(builder);
        return builder.ToString();
    }

    /// <summary>Value-based comparison: display name, URI and parameters.</summary>
    public bool IsEquivalentTo(NameAddress other) =>
        string.Equals(DisplayName, other.DisplayName, StringComparison.Ordinal)
        && Uri.Equals(other.Uri)
        && Parameters.SequenceEquals(other.Parameters);

    internal void AppendTo(StringBuilder builder)
    {
        // Always the name-addr form: with brackets the URI's own parameters can never be
        // mistaken for header parameters.
        if (!string.IsNullOrEmpty(DisplayName))
        {
            builder.Append(HeaderValueReader.Quote(DisplayName)).Append(' ');
        }

        builder.Append('<').Append(Uri.ToString()).Append('>');
        Parameters.AppendTo(builder);
    }

    private static NameAddress ParseAddrSpecForm(string text, string context)
    {
        // A URI containing ',', '?' or ';' must be in brackets (RFC 3261 section 20), so the
        // first ';' starts the header parameters.
        int semicolon = text.IndexOf(';', StringComparison.Ordinal);
        string uriText = (semicolon >= 0 ? text[..semicolon] : text).TrimEnd(' ', '\t');
        foreach (char c in uriText)
        {
            if (SipGrammar.IsWhitespace(c) || c is '?' or ',' or '"' or '>')
            {
                throw new SipParseException($"{context} addr-spec contains '{c}' and must be enclosed in '<...>'");
            }
        }

        var address = new NameAddress(AddressUri.Parse(uriText));
        if (semicolon >= 0)
        {
            int index = semicolon;
            HeaderValueReader.ReadParameters(text, ref index, address.Parameters, context);
        }

        return address;
    }

    private static string? ParseDisplayName(ReadOnlySpan<char> prefix, string text, string context)
    {
        ReadOnlySpan<char> trimmed = prefix.Trim(" \t");
        if (trimmed.IsEmpty)
        {
            return null;
        }

        if (trimmed[0] == '"')
        {
            int start = prefix.IndexOf('"');
            int index = start;
            string name = HeaderValueReader.ReadQuotedString(text, ref index, context);
            if (SipGrammar.SkipWhitespace(prefix, index) != prefix.Length)
            {
                throw new SipParseException($"{context} has text between the quoted display name and '<'");
            }

            return name;
        }

        // display-name = *(token LWS): tokens separated by whitespace. RFC 4475 (lwsdisp) asks
        // us to accept a token directly followed by '<'.
        foreach (char c in trimmed)
        {
            if (!SipGrammar.IsTokenChar(c) && !SipGrammar.IsWhitespace(c))
            {
                throw new SipParseException($"{context} display name contains '{c}' and is not quoted");
            }
        }

        return trimmed.ToString();
    }

    private static int FindUnquoted(string text, char target)
    {
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == target)
            {
                return i;
            }
        }

        if (quoted)
        {
            throw new SipParseException($"quoted string is not closed in '{AddressUri.Shorten(text)}'");
        }

        return -1;
    }
}
