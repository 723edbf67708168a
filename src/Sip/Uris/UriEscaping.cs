using System.Text;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Uris;

/// <summary>%HH escaping for SIP URI components, decoded exactly once.</summary>
internal static class UriEscaping
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Checks every character against <paramref name="isAllowed"/> and decodes %HH escapes.
    /// The decoded octets are read as UTF-8 when they form valid UTF-8, otherwise one char per octet,
    /// so an escaped NUL stays a NUL character and never ends the string.
    /// </summary>
    public static string Decode(ReadOnlySpan<char> text, Func<char, bool> isAllowed, string context)
    {
        if (text.IndexOf('%') < 0)
        {
            foreach (char c in text)
            {
                if (!isAllowed(c))
                {
                    throw new SipParseException($"{context} contains the invalid character '{Printable(c)}'");
                }
            }

            return text.ToString();
        }

        var octets = new byte[text.Length];
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !SipGrammar.IsHexDigit(text[i + 1]) || !SipGrammar.IsHexDigit(text[i + 2]))
                {
                    throw new SipParseException($"{context} has a '%' that is not followed by two hex digits");
                }

                octets[count++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
                continue;
            }

            if (!isAllowed(c))
            {
                throw new SipParseException($"{context} contains the invalid character '{Printable(c)}'");
            }

            octets[count++] = (byte)c;
        }

        try
        {
            return StrictUtf8.GetString(octets, 0, count);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(octets, 0, count);
        }
    }

    /// <summary>Escapes every character that <paramref name="isAllowed"/> rejects as UTF-8 %HH octets.</summary>
    public static string Encode(string value, Func<char, bool> isAllowed)
    {
        bool clean = true;
        foreach (char c in value)
        {
            if (c > '\x7F' || !isAllowed(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        Span<byte> buffer = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c <= '\x7F' && isAllowed(c))
            {
                builder.Append(c);
                continue;
            }

            int charCount = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
            int byteCount = Encoding.UTF8.GetBytes(value.AsSpan(i, charCount), buffer);
            for (int b = 0; b < byteCount; b++)
            {
                builder.Append('%').Append(buffer[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            i += charCount - 1;
        }

        return builder.ToString();
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };

    private static string Printable(char c) => c < ' ' || c == '\x7F' ? $"\\x{(int)c:X2}" : c.ToString();
}
