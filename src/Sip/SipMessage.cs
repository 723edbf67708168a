using System.Globalization;
using System.Text;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip;

/// <summary>
/// A SIP request or response: start line, ordered headers and a body of raw bytes.
/// Typed accessors parse the header values on demand and throw <see cref="SipParseException"/>
/// when a value is malformed (the parser has already checked the ones it validates).
/// </summary>
public abstract class SipMessage
{
    /// <summary>The only SIP version this layer speaks.</summary>
    public const string SipVersion = "SIP/2.0";

    /// <summary>Always "SIP/2.0": the parser answers 505 to any other version.</summary>
    public string Version => SipVersion;

    public SipHeaderCollection Headers { get; } = new();

    public byte[] Body { get; set; } = [];

    public IReadOnlyList<ViaHeader> Vias => ParseAll(SipHeaderNames.Via, ViaHeader.Parse);

    public ViaHeader? TopVia => Headers.GetFirst(SipHeaderNames.Via) is string value ? ViaHeader.Parse(value) : null;

    public NameAddress? From => ParseFirst(SipHeaderNames.From, value => NameAddress.Parse(value, SipHeaderNames.From));

    public NameAddress? To => ParseFirst(SipHeaderNames.To, value => NameAddress.Parse(value, SipHeaderNames.To));

    public string? CallId => Headers.GetFirst(SipHeaderNames.CallId);

    public CSeqHeader? CSeq => ParseFirst(SipHeaderNames.CSeq, CSeqHeader.Parse);

    public IReadOnlyList<ContactHeader> Contacts => ParseAll(SipHeaderNames.Contact, ContactHeader.Parse);

    public int? MaxForwards =>
        Headers.GetFirst(SipHeaderNames.MaxForwards) is string value ? ParseMaxForwards(value) : null;

    public MediaType? ContentType => ParseFirst(SipHeaderNames.ContentType, MediaType.Parse);

    /// <summary>The Content-Length header value (the parser guarantees it matches the body).</summary>
    public int? ContentLength =>
        Headers.GetFirst(SipHeaderNames.ContentLength) is string value ? ParseContentLength(value) : null;

    /// <summary>The Expires header in seconds, saturated at 2^32-1; null when absent or malformed.</summary>
    public uint? Expires => DeltaSeconds.TryParse(Headers.GetFirst(SipHeaderNames.Expires));

    public IReadOnlyList<NameAddress> Routes =>
        ParseAll(SipHeaderNames.Route, value => NameAddress.Parse(value, SipHeaderNames.Route, requireAngleBrackets: true));

    public IReadOnlyList<NameAddress> RecordRoutes =>
        ParseAll(SipHeaderNames.RecordRoute, value => NameAddress.Parse(value, SipHeaderNames.RecordRoute, requireAngleBrackets: true));

    /// <summary>The option tags of Require/Supported/Proxy-Require style headers.</summary>
    public IReadOnlyList<string> GetOptionTags(string headerName)
    {
        var tags = new List<string>();
        foreach (string value in Headers.GetAll(headerName))
        {
            string tag = value.Trim(' ', '\t');
            if (tag.Length > 0)
            {
                tags.Add(tag);
            }
        }

        return tags;
    }

    /// <summary>The wire form: start line, headers, a Content-Length that matches the body, CRLF, body.</summary>
    public byte[] ToBytes()
    {
        byte[] head = Encoding.UTF8.GetBytes(BuildHeaderSection());
        var bytes = new byte[head.Length + Body.Length];
        head.CopyTo(bytes, 0);
        Body.CopyTo(bytes, head.Length);
        return bytes;
    }

    /// <summary>The message as text; the body is shown as UTF-8 (use <see cref="ToBytes"/> for the wire).</summary>
    public override string ToString() => BuildHeaderSection() + Encoding.UTF8.GetString(Body);

    protected abstract string BuildStartLine();

    internal static int ParseMaxForwards(string value)
    {
        if (!SipGrammar.TryParseDigits(value.AsSpan().Trim(" \t"), out ulong number, out bool overflowed)
            || overflowed || number > int.MaxValue)
        {
            throw new SipParseException("Max-Forwards is not a valid number");
        }

        return (int)number;
    }

    internal static int ParseContentLength(string value)
    {
        if (!SipGrammar.TryParseDigits(value.AsSpan().Trim(" \t"), out ulong number, out bool overflowed)
            || overflowed || number > int.MaxValue)
        {
            throw new SipParseException($"Content-Length '{AbbreviateValue(value)}' is not a valid length");
        }

        return (int)number;
    }

    internal static string AbbreviateValue(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 37), "...");

    private string BuildHeaderSection()
    {
        var builder = new StringBuilder(512);
        builder.Append(BuildStartLine()).Append("\r\n");
        bool wroteLength = false;
        string length = Body.Length.ToString(CultureInfo.InvariantCulture);
        foreach (SipHeader header in Headers)
        {
            if (header.Name == SipHeaderNames.ContentLength)
            {
                // Always the real body length, written once, in the place of the first one.
                if (!wroteLength)
                {
                    builder.Append(SipHeaderNames.ContentLength).Append(": ").Append(length).Append("\r\n");
                    wroteLength = true;
                }

                continue;
            }

            builder.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
        }

        if (!wroteLength)
        {
            builder.Append(SipHeaderNames.ContentLength).Append(": ").Append(length).Append("\r\n");
        }

        builder.Append("\r\n");
        return builder.ToString();
    }

    private T? ParseFirst<T>(string name, Func<string, T> parse)
        where T : class
    {
        string? value = Headers.GetFirst(name);
        return value is null ? default : parse(value);
    }

    private IReadOnlyList<T> ParseAll<T>(string name, Func<string, T> parse)
    {
        var items = new List<T>();
        foreach (string value in Headers.GetAll(name))
        {
            items.Add(parse(value));
        }

        return items;
    }
}
