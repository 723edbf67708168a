using System.Text;

namespace CallCenter.Sip.Transport;

/// <summary>
/// Builds the error response to a request the parser rejected, from the raw bytes: the Via, From,
/// To, Call-ID and CSeq lines are copied as received (RFC 3261 section 8.2.6.2). When the request
/// did not get far enough to carry a Via (and the other four), there is nobody to answer and the
/// result is null.
/// </summary>
public static class SipMalformedRequestResponder
{
    private static readonly string[] CopiedHeaders =
    [
        SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq,
    ];

    public static SipResponse? TryCreateResponse(ReadOnlySpan<byte> data, SipParseException error)
    {
        if (error.IsResponse)
        {
            return null;
        }

        string text = Encoding.Latin1.GetString(data);
        int start = 0;
        while (start < text.Length && text[start] is '\r' or '\n')
        {
            start++;
        }

        string[] lines = text[start..].Split('\n');
        if (lines.Length < 2 || lines[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var headers = new List<SipHeader>();
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t')
            {
                continue;
            }

            try
            {
                var header = new SipHeader(line[..colon].Trim(' ', '\t'), line[(colon + 1)..].Trim(' ', '\t'));
                if (Array.IndexOf(CopiedHeaders, header.Name) >= 0)
                {
                    headers.Add(header);
                }
            }
            catch (ArgumentException)
            {
                // Not a header line we could copy; leave it out.
            }
        }

        foreach (string required in CopiedHeaders)
        {
            if (!headers.Exists(header => header.Name == required))
            {
                return null;
            }
        }

        int status = error.SuggestedStatusCode is >= 400 and <= 699 ? error.SuggestedStatusCode : 400;
        var response = new SipResponse(status, ReasonPhrase(status));
        string seed = string.Join('\n', headers.Where(header => header.Name != SipHeaderNames.To).Select(header => header.Value));
        foreach (SipHeader header in headers)
        {
            // A response other than 100 to a request without a To tag carries one (RFC 3261 8.2.6.2); derived from the
            // request, a retransmission gets the same.
            response.Headers.Add(header.Name == SipHeaderNames.To && !HasTag(header.Value)
                ? new SipHeader(header.Name, header.Value + ";tag=" + Transactions.SipMessageFactory.DefaultToTag(seed))
                : header);
        }

        return response;
    }

    private static bool HasTag(string to)
    {
        int close = to.LastIndexOf('>');
        return to.AsSpan(close + 1).Contains(";tag=", StringComparison.OrdinalIgnoreCase);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        416 => "Unsupported URI Scheme",
        501 => "Not Implemented",
        505 => "Version Not Supported",
        _ => "Bad Request",
    };
}
