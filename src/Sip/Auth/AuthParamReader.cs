using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Auth;

/// <summary>One auth-param: the name as written, the value with quotes and quoted-pairs removed.</summary>
internal readonly record struct AuthParam(string Name, string Value, bool WasQuoted);

/// <summary>
/// Reads <c>auth-scheme LWS auth-param *(COMMA auth-param)</c> (RFC 3261 section 25, RFC 2617 section 1.2).
/// Parameter values are a token or a quoted-string. Empty list elements (",,") are skipped as the
/// #rule allows. Every failure is a <see cref="SipParseException"/>.
/// </summary>
internal static class AuthParamReader
{
    /// <summary>Longest header value accepted; digest headers are a few hundred characters.</summary>
    public const int MaxLength = 8192;

    public static (string Scheme, List<AuthParam> Parameters) Read(string? value, string context)
    {
        if (value is null)
        {
            throw new SipParseException($"{context}: value is missing");
        }

        if (value.Length > MaxLength)
        {
            throw new SipParseException($"{context}: value is longer than {MaxLength} characters");
        }

        int i = SipGrammar.SkipWhitespace(value, 0);
        int schemeStart = i;
        while (i < value.Length && SipGrammar.IsTokenChar(value[i]))
        {
            i++;
        }

        if (i == schemeStart)
        {
            throw new SipParseException($"{context}: missing auth-scheme");
        }

        string scheme = value[schemeStart..i];
        if (i < value.Length && !SipGrammar.IsWhitespace(value[i]))
        {
            throw new SipParseException($"{context}: unexpected '{Printable(value[i])}' after the auth-scheme");
        }

        var parameters = new List<AuthParam>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool expectParameter = true;
        while (true)
        {
            i = SipGrammar.SkipWhitespace(value, i);
            if (i >= value.Length)
            {
                break;
            }

            if (value[i] == ',')
            {
                // Empty list element, or the separator after a parameter.
                expectParameter = true;
                i++;
                continue;
            }

            if (!expectParameter)
            {
                throw new SipParseException($"{context}: expected ',' between parameters but found '{Printable(value[i])}'");
            }

            int nameStart = i;
            while (i < value.Length && SipGrammar.IsTokenChar(value[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                throw new SipParseException($"{context}: expected a parameter name but found '{Printable(value[i])}'");
            }

            string name = value[nameStart..i];
            i = SipGrammar.SkipWhitespace(value, i);
            if (i >= value.Length || value[i] != '=')
            {
                throw new SipParseException($"{context}: parameter '{Shorten(name)}' has no '=' (only one challenge or credentials per header)");
            }

            i = SipGrammar.SkipWhitespace(value, i + 1);
            string parameterValue;
            bool quoted;
            if (i < value.Length && value[i] == '"')
            {
                parameterValue = HeaderValueReader.ReadQuotedString(value, ref i, context);
                quoted = true;
            }
            else
            {
                int valueStart = i;
                while (i < value.Length && SipGrammar.IsTokenChar(value[i]))
                {
                    i++;
                }

                if (i == valueStart)
                {
                    throw new SipParseException($"{context}: parameter '{Shorten(name)}' has an empty or invalid value");
                }

                parameterValue = value[valueStart..i];
                quoted = false;
            }

            if (!names.Add(name))
            {
                throw new SipParseException($"{context}: parameter '{Shorten(name)}' appears more than once");
            }

            parameters.Add(new AuthParam(name, parameterValue, quoted));
            expectParameter = false;
        }

        if (parameters.Count == 0)
        {
            throw new SipParseException($"{context}: '{Shorten(scheme)}' has no parameters");
        }

        return (scheme, parameters);
    }

    /// <summary>Writes a value as a quoted-string (escaping '"' and '\').</summary>
    public static string Quote(string value) => HeaderValueReader.Quote(value);

    /// <summary>True when the value can be written without quotes.</summary>
    public static bool IsToken(string value) => SipGrammar.IsToken(value);

    private static string Printable(char c) => c < ' ' || c == '\x7F' ? $"\\x{(int)c:X2}" : c.ToString();

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
