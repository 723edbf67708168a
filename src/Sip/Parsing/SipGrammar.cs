namespace CallCenter.Sip.Parsing;

/// <summary>Character classes from the RFC 3261 section 25 ABNF.</summary>
internal static class SipGrammar
{
    public static bool IsAlpha(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    public static bool IsDigit(char c) => c is >= '0' and <= '9';

    public static bool IsAlphaNum(char c) => IsAlpha(c) || IsDigit(c);

    public static bool IsHexDigit(char c) => IsDigit(c) || c is (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    public static bool IsWhitespace(char c) => c is ' ' or '\t';

    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")</summary>
    public static bool IsTokenChar(char c) =>
        IsAlphaNum(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    /// <summary>word allows the token characters plus a few separators (used by Call-ID).</summary>
    public static bool IsWordChar(char c) =>
        IsTokenChar(c) || c is '(' or ')' or '<' or '>' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '{' or '}';

    /// <summary>unreserved = alphanum / mark</summary>
    public static bool IsUnreserved(char c) =>
        IsAlphaNum(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    /// <summary>Characters allowed unescaped in a SIP URI user part.</summary>
    public static bool IsUserChar(char c) =>
        IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',' or ';' or '?' or '/';

    /// <summary>Characters allowed unescaped in a SIP URI password.</summary>
    public static bool IsPasswordChar(char c) =>
        IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',';

    /// <summary>paramchar without escapes: param-unreserved / unreserved.</summary>
    public static bool IsUriParamChar(char c) =>
        IsUnreserved(c) || c is '[' or ']' or '/' or ':' or '&' or '+' or '$';

    /// <summary>hnv-unreserved / unreserved, for URI header names and values.</summary>
    public static bool IsUriHeaderChar(char c) =>
        IsUnreserved(c) || c is '[' or ']' or '/' or '?' or ':' or '+' or '$';

    /// <summary>uric for opaque absolute URIs: reserved / unreserved (escapes handled separately).</summary>
    public static bool IsUricChar(char c) =>
        IsUnreserved(c) || c is ';' or '/' or '?' or ':' or '@' or '&' or '=' or '+' or '$' or ',' or '%' or '[' or ']' or '#';

    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses 1*DIGIT into a ulong, saturating instead of overflowing.</summary>
    public static bool TryParseDigits(ReadOnlySpan<char> text, out ulong value, out bool overflowed)
    {
        value = 0;
        overflowed = false;
        if (!IsAllDigits(text))
        {
            return false;
        }

        foreach (char c in text)
        {
            ulong digit = (ulong)(c - '0');
            if (value > (ulong.MaxValue - digit) / 10)
            {
                overflowed = true;
                value = ulong.MaxValue;
                return true;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    public static int SkipWhitespace(ReadOnlySpan<char> text, int index)
    {
        while (index < text.Length && IsWhitespace(text[index]))
        {
            index++;
        }

        return index;
    }
}
