using System.Globalization;

namespace CallCenter.Sip.Reliability;

/// <summary>RFC 3262's option tag and headers: <c>100rel</c> in Require/Supported, RSeq on a reliable provisional, RAck on its PRACK.</summary>
public static class ReliableProvisionalHeaders
{
    public const string OptionTag = "100rel";

    public const string RSeq = "RSeq";

    public const string RAck = "RAck";

    /// <summary>True when <paramref name="message"/> lists <c>100rel</c> in the header <paramref name="headerName"/> (Require or Supported).</summary>
    public static bool Lists(SipMessage message, string headerName) =>
        message.Headers.GetAll(headerName)
            .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Contains(OptionTag, StringComparer.OrdinalIgnoreCase);

    /// <summary>An INVITE whose sender can take reliable provisionals: 100rel in its Require or its Supported (section 3).</summary>
    public static bool AcceptsReliable(SipRequest invite) =>
        invite.Method == SipMethods.Invite && (Lists(invite, SipHeaderNames.Require) || Lists(invite, SipHeaderNames.Supported));

    /// <summary>A 101-199 response sent reliably: Require 100rel and a valid RSeq (section 4; a 100 is never reliable).</summary>
    public static bool TryReadReliable(SipResponse response, out uint rseq)
    {
        rseq = 0;
        return response.StatusCode is > 100 and < 200
            && Lists(response, SipHeaderNames.Require)
            && TryReadNumber(response.Headers.GetFirst(RSeq), out rseq);
    }

    /// <summary>The RAck of a PRACK: <c>response-num CSeq-num Method</c> (section 7.2). False when absent or malformed.</summary>
    public static bool TryReadRAck(SipRequest prack, out uint rseq, out uint cseq, out string method)
    {
        rseq = 0;
        cseq = 0;
        method = "";
        var parts = (prack.Headers.GetFirst(RAck) ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !TryReadNumber(parts[0], out rseq) || !TryReadNumber(parts[1], out cseq))
        {
            return false;
        }

        method = parts[2];
        return true;
    }

    public static string FormatRAck(uint rseq, uint cseq, string method) =>
        string.Create(CultureInfo.InvariantCulture, $"{rseq} {cseq} {method}");

    // 1*DIGIT, 1 to 2^32-1 (section 7.1).
    private static bool TryReadNumber(string? text, out uint number)
    {
        number = 0;
        return text is { Length: > 0 and <= 10 } && text.Trim().All(char.IsAsciiDigit)
            && uint.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;
    }
}
