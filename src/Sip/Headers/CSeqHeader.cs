using System.Globalization;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Headers;

/// <summary>CSeq = 1*DIGIT LWS Method, the number limited to 2^32 - 1 (RFC 3261 section 8.1.1.5).</summary>
public sealed record CSeqHeader(uint Number, string Method)
{
    public static CSeqHeader Parse(string value)
    {
        string text = value.Trim(' ', '\t');
        int i = 0;
        while (i < text.Length && SipGrammar.IsDigit(text[i]))
        {
            i++;
        }

        if (!SipGrammar.TryParseDigits(text.AsSpan(0, i), out ulong number, out bool overflowed))
        {
            throw new SipParseException("CSeq: sequence number is missing or not a number");
        }

        if (overflowed || number > uint.MaxValue)
        {
            throw new SipParseException("CSeq: sequence number is larger than 2^32-1");
        }

        int methodStart = SipGrammar.SkipWhitespace(text, i);
        if (methodStart == i)
        {
            throw new SipParseException("CSeq: expected whitespace between number and method");
        }

        string method = text[methodStart..];
        if (!SipGrammar.IsToken(method))
        {
            throw new SipParseException("CSeq: method is not a valid token");
        }

        return new CSeqHeader((uint)number, method);
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}
