using System.Text;
using CallCenter.Sip;
using CallCenter.Sip.Headers;

namespace CallCenter.EdgeSip.Signalling;

/// <summary>
/// DTMF sent in SIP INFO, the fallback for phones without RFC 4733: <c>application/dtmf-relay</c>
/// (<c>Signal=5</c> and <c>Duration=160</c> lines) or <c>application/dtmf</c> (the digit alone).
/// </summary>
public static class DtmfInfo
{
    public static bool TryRead(SipRequest info, out char digit)
    {
        digit = default;
        MediaType? type;
        try
        {
            type = info.ContentType;
        }
        catch (SipParseException)
        {
            return false;
        }

        if (type is null || info.Body.Length is 0 or > 256)
        {
            return false;
        }

        var body = Encoding.ASCII.GetString(info.Body).Trim();
        string? value = null;
        if (string.Equals(type.Type, "application", StringComparison.OrdinalIgnoreCase)
            && string.Equals(type.Subtype, "dtmf-relay", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var line in body.Split('\n'))
            {
                var parts = line.Split('=', 2);
                if (parts.Length == 2 && parts[0].Trim().Equals("Signal", StringComparison.OrdinalIgnoreCase))
                {
                    value = parts[1].Trim();
                }
            }
        }
        else if (string.Equals(type.Type, "application", StringComparison.OrdinalIgnoreCase)
            && string.Equals(type.Subtype, "dtmf", StringComparison.OrdinalIgnoreCase))
        {
            value = body;
        }

        if (value is not { Length: 1 } || !IsDigit(value[0]))
        {
            return false;
        }

        digit = char.ToUpperInvariant(value[0]);
        return true;
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D' or >= 'a' and <= 'd';
}
