using System.Globalization;
using System.Text;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Headers;

/// <summary>
/// One via-parm: <c>SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport</c>.
/// </summary>
public sealed class ViaHeader
{
    /// <summary>The RFC 3261 branch prefix that marks a globally unique branch.</summary>
    public const string MagicCookie = "z9hG4bK";

    public ViaHeader(string transport, string host, int? port = null)
    {
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
    }

    public string ProtocolName { get; init; } = "SIP";

    public string ProtocolVersion { get; init; } = "2.0";

    /// <summary>UDP, TCP, TLS, SCTP, WS... upper-cased; unknown transports are kept.</summary>
    public string Transport { get; set; }

    public string Host { get; set; }

    public int? Port { get; set; }

    public SipParameters Parameters { get; } = new();

    public string? Branch => Parameters.Get("branch");

    public string? Received => Parameters.Get("received");

    public string? MAddr => Parameters.Get("maddr");

    /// <summary>True when an rport parameter is present (RFC 3581), with or without a value.</summary>
    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>The rport value when one was filled in.</summary>
    public int? RPort =>
        int.TryParse(Parameters.Get("rport"), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : null;

    public int? Ttl =>
        int.TryParse(Parameters.Get("ttl"), NumberStyles.None, CultureInfo.InvariantCulture, out int ttl) ? ttl : null;

    /// <summary>Parses one via-parm (the parser has already split the header on commas).</summary>
    public static ViaHeader Parse(string value)
    {
        const string context = "Via";
        string text = value;
        int i = SipGrammar.SkipWhitespace(text, 0);
        string protocolName = ReadToken(text, ref i, "protocol name");
        i = ExpectSlash(text, i);
        string protocolVersion = ReadToken(text, ref i, "protocol version");
        i = ExpectSlash(text, i);
        string transport = ReadToken(text, ref i, "transport");

        int afterTransport = i;
        i = SipGrammar.SkipWhitespace(text, i);
        if (i == afterTransport)
        {
            throw new SipParseException($"{context}: expected whitespace before sent-by");
        }

        if (protocolName.Equals("SIP", StringComparison.OrdinalIgnoreCase) && protocolVersion != "2.0")
        {
            throw new SipParseException($"{context}: unsupported SIP version '{protocolVersion}'", 505);
        }

        // sent-by = host [ COLON port ]; host may be an IPv6 reference containing colons.
        string host;
        if (i < text.Length && text[i] == '[')
        {
            int close = text.IndexOf(']', i);
            if (close < 0)
            {
                throw new SipParseException($"{context}: IPv6 reference without ']'");
            }

            host = text[i..(close + 1)];
            i = close + 1;
        }
        else
        {
            int hostStart = i;
            while (i < text.Length && (SipGrammar.IsAlphaNum(text[i]) || text[i] is '-' or '.'))
            {
                i++;
            }

            host = text[hostStart..i];
        }

        try
        {
            _ = new Uris.SipUri(host);
        }
        catch (ArgumentException exception)
        {
            throw new SipParseException($"{context}: sent-by {exception.Message}");
        }

        int? port = null;
        int afterHost = SipGrammar.SkipWhitespace(text, i);
        if (afterHost < text.Length && text[afterHost] == ':')
        {
            i = SipGrammar.SkipWhitespace(text, afterHost + 1);
            int portStart = i;
            while (i < text.Length && SipGrammar.IsDigit(text[i]))
            {
                i++;
            }

            if (!SipGrammar.TryParseDigits(text.AsSpan(portStart, i - portStart), out ulong portValue, out _) || portValue > 65535)
            {
                throw new SipParseException($"{context}: invalid port in sent-by");
            }

            port = (int)portValue;
        }

        var via = new ViaHeader(transport, host, port)
        {
            ProtocolName = protocolName.ToUpperInvariant(),
            ProtocolVersion = protocolVersion,
        };
        HeaderValueReader.ReadParameters(text, ref i, via.Parameters, context);

        if (via.Parameters.Contains("branch") && string.IsNullOrEmpty(via.Branch))
        {
            throw new SipParseException($"{context}: branch parameter has no value");
        }

        return via;
    }

    public override string ToString()
    {
        var builder = new StringBuilder(64);
        builder.Append(ProtocolName).Append('/').Append(ProtocolVersion).Append('/').Append(Transport)
            .Append(' ').Append(Host);
        if (Port is int port)
        {
            builder.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        Parameters.AppendTo(builder);
        return builder.ToString();
    }

    private static string ReadToken(string text, ref int index, string what)
    {
        int start = index;
        while (index < text.Length && SipGrammar.IsTokenChar(text[index]))
        {
            index++;
        }

        if (index == start)
        {
            throw new SipParseException($"Via: missing {what}");
        }

        return text[start..index];
    }

    private static int ExpectSlash(string text, int index)
    {
        index = SipGrammar.SkipWhitespace(text, index);
        if (index >= text.Length || text[index] != '/')
        {
            throw new SipParseException("Via: expected '/' in sent-protocol");
        }

        return SipGrammar.SkipWhitespace(text, index + 1);
    }
}
