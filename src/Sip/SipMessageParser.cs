using System.Diagnostics.CodeAnalysis;
using System.Text;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Parsing;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip;

/// <summary>
/// Parses one complete SIP message (RFC 3261 section 7) from a datagram. The end of the datagram
/// ends the message: a missing Content-Length means the rest is the body, and bytes after the
/// Content-Length body are ignored. Only <see cref="SipParseException"/> ever leaves this class.
/// </summary>
public static class SipMessageParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SipMessage Parse(ReadOnlySpan<byte> datagram)
    {
        int start = 0;

        // RFC 3261 section 7.5: ignore CRLFs before the start line (keep-alives on streams).
        while (start < datagram.Length && datagram[start] is (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start == datagram.Length)
        {
            throw new SipParseException("message is empty");
        }

        bool isResponse = datagram.Length - start >= 4
            && Ascii.EqualsIgnoreCase(datagram.Slice(start, 4), "SIP/"u8);
        try
        {
            return ParseCore(datagram, start, isResponse);
        }
        catch (SipParseException exception)
        {
            throw exception.AsResponse(isResponse);
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out SipMessage? message) =>
        TryParse(datagram, out message, out _);

    public static bool TryParse(
        ReadOnlySpan<byte> datagram,
        [NotNullWhen(true)] out SipMessage? message,
        [NotNullWhen(false)] out SipParseException? error)
    {
        try
        {
            message = Parse(datagram);
            error = null;
            return true;
        }
        catch (SipParseException exception)
        {
            message = null;
            error = exception;
            return false;
        }
    }

    private static SipMessage ParseCore(ReadOnlySpan<byte> datagram, int start, bool isResponse)
    {
        // Find the empty line that ends the header section. A datagram may end without one
        // (the RFC 4475 baddn archive copy); the end of the datagram then ends the headers.
        int headerEnd = datagram.Length;
        int bodyStart = datagram.Length;
        int position = start;
        while (position < datagram.Length)
        {
            int newline = datagram[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            int lineEnd = position + newline;
            int contentEnd = lineEnd > position && datagram[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == position && position > start)
            {
                headerEnd = position;
                bodyStart = lineEnd + 1;
                break;
            }

            position = lineEnd + 1;
        }

        string head;
        try
        {
            head = StrictUtf8.GetString(datagram[start..headerEnd]);
        }
        catch (DecoderFallbackException)
        {
            throw new SipParseException("header section is not valid UTF-8");
        }

        List<string> lines = SplitLines(head);
        SipMessage message = isResponse ? ParseStatusLine(lines[0]) : ParseRequestLine(lines[0]);
        foreach ((string name, string value) in UnfoldHeaders(lines))
        {
            AddHeader(message, name, value);
        }

        ValidateHeaders(message);
        message.Body = ReadBody(message, datagram[bodyStart..]);
        return message;
    }

    private static List<string> SplitLines(string head)
    {
        var lines = new List<string>();
        int position = 0;
        while (position <= head.Length)
        {
            int newline = head.IndexOf('\n', position);
            int end = newline < 0 ? head.Length : newline;
            int contentEnd = end > position && head[end - 1] == '\r' ? end - 1 : end;
            string line = head[position..contentEnd];
            if (line.Contains('\r', StringComparison.Ordinal))
            {
                throw new SipParseException("header section contains a bare CR");
            }

            if (newline < 0)
            {
                if (line.Length > 0 || lines.Count == 0)
                {
                    lines.Add(line);
                }

                break;
            }

            lines.Add(line);
            position = newline + 1;
        }

        return lines;
    }

    private static IEnumerable<(string Name, string Value)> UnfoldHeaders(List<string> lines)
    {
        string? currentName = null;
        StringBuilder currentValue = new();
        for (int i = 1; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.Length > 0 && SipGrammar.IsWhitespace(line[0]))
            {
                // Folding: CRLF followed by whitespace is equivalent to a single SP.
                if (currentName is null)
                {
                    throw new SipParseException("continuation line before the first header");
                }

                string continuation = line.Trim(' ', '\t');
                if (continuation.Length > 0)
                {
                    TrimEnd(currentValue);
                    currentValue.Append(' ').Append(continuation);
                }

                continue;
            }

            if (currentName is not null)
            {
                yield return (currentName, currentValue.ToString().Trim(' ', '\t'));
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new SipParseException($"header line '{SipMessage.AbbreviateValue(line)}' has no colon");
            }

            string name = line[..colon].TrimEnd(' ', '\t');
            if (!SipGrammar.IsToken(name))
            {
                throw new SipParseException($"header name '{SipMessage.AbbreviateValue(name)}' is not a valid token");
            }

            currentName = name;
            currentValue.Clear().Append(line, colon + 1, line.Length - colon - 1);
        }

        if (currentName is not null)
        {
            yield return (currentName, currentValue.ToString().Trim(' ', '\t'));
        }
    }

    private static void TrimEnd(StringBuilder builder)
    {
        int length = builder.Length;
        while (length > 0 && SipGrammar.IsWhitespace(builder[length - 1]))
        {
            length--;
        }

        builder.Length = length;
    }

    private static void AddHeader(SipMessage message, string name, string value)
    {
        string canonical = SipHeaderNames.Canonicalize(name);
        if (!SipHeaderNames.IsCommaList(canonical) || value.Length == 0)
        {
            message.Headers.Add(new SipHeader(canonical, value, name));
            return;
        }

        foreach (string element in HeaderValueSplitter.SplitCommaList(value))
        {
            if (element.Length == 0)
            {
                throw new SipParseException($"{canonical} header has an empty element in its comma-separated list");
            }

            message.Headers.Add(new SipHeader(canonical, element, name));
        }
    }

    private static SipRequest ParseRequestLine(string line)
    {
        // Request-Line = Method SP Request-URI SP SIP-Version: exactly single spaces (RFC 4475
        // lwsstart/trws/lwsruri test that extra whitespace is rejected).
        string[] parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            if (parts.Length >= 3 && IsSipVersionSyntax(parts[^1]) && !IsSupportedVersion(parts[^1]))
            {
                throw new SipParseException($"SIP version '{parts[^1]}' is not supported", 505);
            }

            throw new SipParseException("request line must be 'Method SP Request-URI SP SIP-Version' with single spaces");
        }

        CheckVersion(parts[2]);
        if (!SipGrammar.IsToken(parts[0]))
        {
            throw new SipParseException($"method '{SipMessage.AbbreviateValue(parts[0])}' is not a valid token");
        }

        AddressUri requestUri;
        try
        {
            requestUri = AddressUri.Parse(parts[1]);
        }
        catch (SipParseException exception)
        {
            throw new SipParseException($"Request-URI is invalid: {exception.Message}");
        }

        return new SipRequest(parts[0], requestUri);
    }

    private static SipResponse ParseStatusLine(string line)
    {
        int firstSpace = line.IndexOf(' ', StringComparison.Ordinal);
        if (firstSpace < 0)
        {
            throw new SipParseException("status line has no status code");
        }

        CheckVersion(line[..firstSpace]);
        int secondSpace = line.IndexOf(' ', firstSpace + 1);
        string code = secondSpace < 0 ? line[(firstSpace + 1)..] : line[(firstSpace + 1)..secondSpace];
        string reason = secondSpace < 0 ? string.Empty : line[(secondSpace + 1)..];
        if (code.Length != 3 || !SipGrammar.IsAllDigits(code))
        {
            throw new SipParseException($"status code '{SipMessage.AbbreviateValue(code)}' is not three digits");
        }

        int statusCode = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        if (statusCode is < 100 or > 699)
        {
            throw new SipParseException($"status code {statusCode} is outside 100-699");
        }

        foreach (char c in reason)
        {
            if ((c < ' ' && c != '\t') || c == '\x7F')
            {
                throw new SipParseException("reason phrase contains a control character");
            }
        }

        return new SipResponse(statusCode, reason);
    }

    private static void CheckVersion(string version)
    {
        if (IsSupportedVersion(version))
        {
            return;
        }

        if (IsSipVersionSyntax(version))
        {
            throw new SipParseException($"SIP version '{version}' is not supported", 505);
        }

        throw new SipParseException($"'{SipMessage.AbbreviateValue(version)}' is not a SIP version");
    }

    private static bool IsSupportedVersion(string version) =>
        version.Equals(SipMessage.SipVersion, StringComparison.OrdinalIgnoreCase);

    private static bool IsSipVersionSyntax(string version)
    {
        // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
        if (version.Length < 7 || !version.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string number = version[4..];
        int dot = number.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && SipGrammar.IsAllDigits(number.AsSpan(0, dot)) && SipGrammar.IsAllDigits(number.AsSpan(dot + 1));
    }

    /// <summary>Checks the headers a SIP element relies on, so that typed accessors cannot fail later.</summary>
    private static void ValidateHeaders(SipMessage message)
    {
        foreach (SipHeader header in message.Headers)
        {
            switch (header.Name)
            {
                case SipHeaderNames.Via:
                    _ = ViaHeader.Parse(header.Value);
                    break;
                case SipHeaderNames.From:
                case SipHeaderNames.To:
                    _ = NameAddress.Parse(header.Value, header.Name);
                    break;
                case SipHeaderNames.Contact:
                    _ = ContactHeader.Parse(header.Value);
                    break;
                case SipHeaderNames.Route:
                case SipHeaderNames.RecordRoute:
                    _ = NameAddress.Parse(header.Value, header.Name, requireAngleBrackets: true);
                    break;
                case SipHeaderNames.CallId:
                    ValidateCallId(header.Value);
                    break;
                case SipHeaderNames.CSeq:
                    ValidateCSeq(message, CSeqHeader.Parse(header.Value));
                    break;
                case SipHeaderNames.MaxForwards:
                    _ = SipMessage.ParseMaxForwards(header.Value);
                    break;
                case SipHeaderNames.ContentType:
                    _ = MediaType.Parse(header.Value);
                    break;
                case SipHeaderNames.ContentLength:
                    _ = SipMessage.ParseContentLength(header.Value);
                    break;
                default:
                    break;
            }
        }
    }

    private static void ValidateCSeq(SipMessage message, CSeqHeader cseq)
    {
        if (message is SipRequest request && !string.Equals(cseq.Method, request.Method, StringComparison.Ordinal))
        {
            // An unknown method answered with a mismatched CSeq gets 501 (RFC 4475 mismatch02).
            int status = SipMethods.IsKnown(request.Method) ? 400 : 501;
            throw new SipParseException(
                $"CSeq method '{cseq.Method}' does not match request method '{request.Method}'", status);
        }
    }

    private static void ValidateCallId(string callId)
    {
        // callid = word [ "@" word ]
        int at = callId.IndexOf('@', StringComparison.Ordinal);
        bool valid = callId.Length > 0
            && at != 0
            && at != callId.Length - 1
            && (at < 0 || callId.IndexOf('@', at + 1) < 0);
        foreach (char c in callId)
        {
            valid &= SipGrammar.IsWordChar(c) || c == '@';
        }

        if (!valid)
        {
            throw new SipParseException($"Call-ID '{SipMessage.AbbreviateValue(callId)}' is not word[@word]");
        }
    }

    private static byte[] ReadBody(SipMessage message, ReadOnlySpan<byte> available)
    {
        int? contentLength = null;
        foreach (string value in message.Headers.GetAll(SipHeaderNames.ContentLength))
        {
            int length = SipMessage.ParseContentLength(value);
            if (contentLength is int previous && previous != length)
            {
                throw new SipParseException("conflicting Content-Length headers");
            }

            contentLength = length;
        }

        if (contentLength is not int declared)
        {
            return available.ToArray();
        }

        if (declared > available.Length)
        {
            throw new SipParseException(
                $"Content-Length {declared} is larger than the {available.Length} body bytes received");
        }

        // Bytes after the declared body are not part of this message (RFC 4475 dblreq).
        return available[..declared].ToArray();
    }
}
