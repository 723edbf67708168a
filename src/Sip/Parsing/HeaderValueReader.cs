using System.Text;

namespace CallCenter.Sip.Parsing;

/// <summary>Shared pieces of header-value grammar: quoted strings and generic parameters.</summary>
internal static class HeaderValueReader
{
    /// <summary>
    /// Reads a quoted-string starting at <paramref name="index"/> (which must be a DQUOTE).
    /// Returns the unescaped content; <paramref name="index"/> ends just after the closing quote.
    /// </summary>
    public static string ReadQuotedString(string text, ref int index, string context)
    {
        var content = new StringBuilder();
        int i = index + 1;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new SipParseException($"{context}: quoted string is not closed");
            }

            char c = text[i];
            if (c == '"')
            {
                index = i + 1;
                return content.ToString();
            }

            if (c == '\\')
            {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F); CR and LF cannot occur here.
                if (i + 1 >= text.Length)
                {
                    throw new SipParseException($"{context}: quoted string ends inside an escape");
                }

                char escaped = text[i + 1];
                if (escaped > '\x7F')
                {
                    throw new SipParseException($"{context}: quoted-pair escapes a non-ASCII character");
                }

                if (escaped is '\r' or '\n')
                {
                    // Not even escaped: a parsed value must always be writable back into a header.
                    throw new SipParseException($"{context}: quoted-pair escapes CR or LF");
                }

                content.Append(escaped);
                i += 2;
                continue;
            }

            if ((c < ' ' && c != '\t') || c == '\x7F')
            {
                throw new SipParseException($"{context}: control character inside a quoted string");
            }

            content.Append(c);
            i++;
        }
    }

    /// <summary>Writes a string as a quoted-string, escaping what needs escaping.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (char c in value)
        {
            if (c is '\r' or '\n')
            {
                throw new ArgumentException("A quoted string cannot contain CR or LF.", nameof(value));
            }

            if (c is '"' or '\\' || (c < ' ' && c != '\t') || c == '\x7F')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>
    /// Reads *( SEMI generic-param ) from <paramref name="index"/> until the end of the text.
    /// LWS is allowed around ";" and "=". Values are kept as written (quoted strings with quotes).
    /// </summary>
    public static void ReadParameters(string text, ref int index, SipParameters target, string context)
    {
        int i = SipGrammar.SkipWhitespace(text, index);
        while (i < text.Length)
        {
            if (text[i] != ';')
            {
                throw new SipParseException($"{context}: expected ';' before parameter but found '{text[i]}'");
            }

            i = SipGrammar.SkipWhitespace(text, i + 1);
            int nameStart = i;
            while (i < text.Length && SipGrammar.IsTokenChar(text[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                throw new SipParseException($"{context}: empty parameter name");
            }

            string name = text[nameStart..i];
            string? value = null;
            i = SipGrammar.SkipWhitespace(text, i);
            if (i < text.Length && text[i] == '=')
            {
                i = SipGrammar.SkipWhitespace(text, i + 1);
                if (i < text.Length && text[i] == '"')
                {
                    int quoteStart = i;
                    ReadQuotedString(text, ref i, context);
                    value = text[quoteStart..i];
                }
                else
                {
                    int valueStart = i;
                    // gen-value = token / host / quoted-string; host adds ':' '[' ']' for IPv6.
                    while (i < text.Length && (SipGrammar.IsTokenChar(text[i]) || text[i] is ':' or '[' or ']'))
                    {
                        i++;
                    }

                    if (i == valueStart)
                    {
                        throw new SipParseException($"{context}: parameter '{name}' has an empty value");
                    }

                    value = text[valueStart..i];
                }

                i = SipGrammar.SkipWhitespace(text, i);
            }

            target.Add(name, value);
        }

        index = i;
    }

    /// <summary>Removes surrounding quotes and quoted-pairs from a stored parameter value.</summary>
    public static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '"')
        {
            int index = 0;
            try
            {
                return ReadQuotedString(value, ref index, "value");
            }
            catch (SipParseException)
            {
                return value;
            }
        }

        return value;
    }
}
