using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace CallCenter.Sip.Sdp;

/// <summary>
/// An SDP session description (RFC 4566): v, o, s, c, t, a and m lines are modelled; i, u, e, p, b,
/// r, z and k lines are kept as text and written back in their RFC 4566 position.
/// <see cref="Parse(string)"/> throws only <see cref="SdpParseException"/>.
/// </summary>
public sealed class SdpSessionDescription
{
    private const string SessionLineTypes = "vosiuepcbtrzkam";
    private const string MediaLineTypes = "icbka";

    public SdpSessionDescription(SdpOrigin origin, string sessionName = "-")
    {
        Origin = origin;
        SessionName = sessionName;
    }

    /// <summary>Always 0 (v=0).</summary>
    public int Version => 0;

    public SdpOrigin Origin { get; set; }

    public string SessionName { get; set; }

    /// <summary>The session-level c= line, or null when every media description has its own.</summary>
    public SdpConnection? Connection { get; set; }

    public List<SdpTiming> Timings { get; } = [];

    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>Session-level i, u, e, p, b, r, z and k lines, kept as text.</summary>
    public List<SdpLine> OtherLines { get; } = [];

    public List<SdpMediaDescription> Media { get; } = [];

    /// <summary>The session-level direction attribute (the last one), or null.</summary>
    public SdpDirection? Direction
    {
        get => SdpDirections.LastIn(Attributes);
    }

    /// <summary>The media description's direction, else the session's, else sendrecv (RFC 4566 section 6).</summary>
    public SdpDirection GetEffectiveDirection(SdpMediaDescription media) => media.Direction ?? Direction ?? SdpDirection.SendRecv;

    /// <summary>The media's c= line, else the session's.</summary>
    public SdpConnection? GetEffectiveConnection(SdpMediaDescription media) => media.Connection ?? Connection;

    public static SdpSessionDescription Parse(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new SdpParseException("body is not valid UTF-8");
        }

        return Parse(Encoding.UTF8.GetString(body));
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out SdpSessionDescription? description, [NotNullWhen(false)] out string? error)
    {
        try
        {
            description = Parse(text);
            error = null;
            return true;
        }
        catch (SdpParseException exception)
        {
            description = null;
            error = exception.Message;
            return false;
        }
    }

    public static SdpSessionDescription Parse(string text)
    {
        string[] lines = text.Split('\n');
        int count = lines.Length;

        // A final CRLF leaves one empty element; blank lines at the end are tolerated.
        while (count > 0 && lines[count - 1].TrimEnd('\r').Length == 0)
        {
            count--;
        }

        if (count == 0)
        {
            throw new SdpParseException("empty session description");
        }

        SdpSessionDescription? session = null;
        SdpMediaDescription? media = null;
        bool sawSessionName = false;
        for (int index = 0; index < count; index++)
        {
            int number = index + 1;
            string line = lines[index].EndsWith('\r') ? lines[index][..^1] : lines[index];
            if (line.Length < 2 || line[1] != '=')
            {
                throw new SdpParseException("expected <type>=<value>", number);
            }

            char type = line[0];
            string value = line[2..];
            if (value.Any(c => c is '\0' or '\r'))
            {
                throw new SdpParseException("NUL or CR inside a line", number);
            }

            if (index == 0)
            {
                if (type != 'v' || value != "0")
                {
                    throw new SdpParseException("the first line must be v=0", number);
                }

                continue;
            }

            if (index == 1)
            {
                session = type == 'o'
                    ? new SdpSessionDescription(ParseOrigin(value, number), "")
                    : throw new SdpParseException("the second line must be o=", number);
                continue;
            }

            SdpSessionDescription current = session!;
            if (index == 2)
            {
                if (type != 's')
                {
                    throw new SdpParseException("the third line must be s=", number);
                }

                current.SessionName = value;
                sawSessionName = true;
                continue;
            }

            if (type == 'm')
            {
                media = ParseMediaLine(value, number);
                current.Media.Add(media);
                continue;
            }

            if (media is null)
            {
                if (!SessionLineTypes.Contains(type, StringComparison.Ordinal) || type is 'v' or 'o' or 's')
                {
                    throw new SdpParseException($"unexpected '{type}=' line at session level", number);
                }

                switch (type)
                {
                    case 'c':
                        current.Connection = current.Connection is null
                            ? ParseConnection(value, number)
                            : throw new SdpParseException("more than one session-level c= line", number);
                        break;
                    case 't':
                        current.Timings.Add(ParseTiming(value, number));
                        break;
                    case 'a':
                        current.Attributes.Add(ParseAttribute(value, number));
                        break;
                    default:
                        current.OtherLines.Add(new SdpLine(type, value));
                        break;
                }
            }
            else
            {
                if (!MediaLineTypes.Contains(type, StringComparison.Ordinal))
                {
                    throw new SdpParseException($"unexpected '{type}=' line in a media description", number);
                }

                switch (type)
                {
                    case 'c':
                        media.Connection = media.Connection is null
                            ? ParseConnection(value, number)
                            : throw new SdpParseException("more than one c= line in a media description", number);
                        break;
                    case 'a':
                        media.Attributes.Add(ParseAttribute(value, number));
                        break;
                    default:
                        media.OtherLines.Add(new SdpLine(type, value));
                        break;
                }
            }
        }

        if (session is null || !sawSessionName)
        {
            throw new SdpParseException("v=, o= and s= lines are required");
        }

        if (session.Timings.Count == 0)
        {
            throw new SdpParseException("no t= line");
        }

        foreach (SdpMediaDescription description in session.Media)
        {
            if (description.Connection is null && session.Connection is null && !description.IsRejected)
            {
                throw new SdpParseException($"no c= line for the '{description.Media}' media or the session");
            }
        }

        return session;
    }

    /// <summary>The description with CRLF line ends (RFC 4566 section 5).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendLine(builder, 'v', "0");
        AppendLine(builder, 'o', Origin.ToString());
        AppendLine(builder, 's', SessionName);
        AppendOther(builder, OtherLines, 'i');
        AppendOther(builder, OtherLines, 'u');
        AppendOther(builder, OtherLines, 'e');
        AppendOther(builder, OtherLines, 'p');
        if (Connection is not null)
        {
            AppendLine(builder, 'c', Connection.ToString());
        }

        AppendOther(builder, OtherLines, 'b');
        foreach (SdpTiming timing in Timings)
        {
            AppendLine(builder, 't', timing.ToString());
        }

        AppendOther(builder, OtherLines, 'r');
        AppendOther(builder, OtherLines, 'z');
        AppendOther(builder, OtherLines, 'k');
        foreach (SdpAttribute attribute in Attributes)
        {
            AppendLine(builder, 'a', attribute.ToString());
        }

        foreach (SdpMediaDescription media in Media)
        {
            media.AppendTo(builder);
        }

        return builder.ToString();
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    internal static void AppendLine(StringBuilder builder, char type, string value) =>
        builder.Append(type).Append('=').Append(value).Append("\r\n");

    internal static void AppendOther(StringBuilder builder, List<SdpLine> lines, char type)
    {
        foreach (SdpLine line in lines)
        {
            if (line.Type == type)
            {
                AppendLine(builder, type, line.Value);
            }
        }
    }

    private static SdpOrigin ParseOrigin(string value, int number)
    {
        string[] fields = value.Split(' ');
        if (fields.Length != 6 || fields.Any(field => field.Length == 0))
        {
            throw new SdpParseException("o= needs six fields: username sess-id sess-version nettype addrtype address", number);
        }

        if (!SdpSyntax.TryParseULong(fields[1], out ulong sessionId) || !SdpSyntax.TryParseULong(fields[2], out ulong version))
        {
            throw new SdpParseException("o= session id and version must be decimal numbers below 2^64", number);
        }

        if (!SdpSyntax.IsToken(fields[3]) || !SdpSyntax.IsToken(fields[4]))
        {
            throw new SdpParseException("o= nettype and addrtype must be tokens", number);
        }

        return new SdpOrigin(fields[0], sessionId, version, fields[3], fields[4], fields[5]);
    }

    private static SdpConnection ParseConnection(string value, int number)
    {
        string[] fields = value.Split(' ');
        if (fields.Length != 3 || !SdpSyntax.IsToken(fields[0]) || !SdpSyntax.IsToken(fields[1]) || fields[2].Length == 0
            || fields[2].StartsWith('/'))
        {
            throw new SdpParseException("c= needs three fields: nettype addrtype connection-address", number);
        }

        return new SdpConnection(fields[0], fields[1], fields[2]);
    }

    private static SdpTiming ParseTiming(string value, int number)
    {
        string[] fields = value.Split(' ');
        if (fields.Length != 2 || !SdpSyntax.TryParseULong(fields[0], out ulong start) || !SdpSyntax.TryParseULong(fields[1], out ulong stop))
        {
            throw new SdpParseException("t= needs two decimal times: start stop", number);
        }

        return new SdpTiming(start, stop);
    }

    private static SdpMediaDescription ParseMediaLine(string value, int number)
    {
        string[] fields = value.Split(' ');
        if (fields.Length < 4 || fields.Any(field => field.Length == 0))
        {
            throw new SdpParseException("m= needs media, port, proto and at least one format, separated by single spaces", number);
        }

        if (!SdpSyntax.IsToken(fields[0]))
        {
            throw new SdpParseException("m= media type must be a token", number);
        }

        string portText = fields[1];
        int? portCount = null;
        int slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!SdpSyntax.TryParseInt(portText.AsSpan(slash + 1), 65535, out int countValue) || countValue == 0)
            {
                throw new SdpParseException("m= port count must be a positive number", number);
            }

            portCount = countValue;
            portText = portText[..slash];
        }

        if (!SdpSyntax.TryParseInt(portText, 65535, out int port))
        {
            throw new SdpParseException("m= port must be a number from 0 to 65535", number);
        }

        foreach (string part in fields[2].Split('/'))
        {
            if (!SdpSyntax.IsToken(part))
            {
                throw new SdpParseException("m= proto must be tokens separated by '/'", number);
            }
        }

        for (int i = 3; i < fields.Length; i++)
        {
            if (!SdpSyntax.IsToken(fields[i]))
            {
                throw new SdpParseException($"m= format '{fields[i]}' is not a token", number);
            }
        }

        var media = new SdpMediaDescription(fields[0], port, fields[2], fields[3..]) { PortCount = portCount };
        if (media.IsRtp)
        {
            foreach (string format in media.Formats)
            {
                if (!SdpSyntax.TryParseInt(format, 127, out _))
                {
                    throw new SdpParseException($"RTP payload type '{format}' must be a number from 0 to 127", number);
                }
            }
        }

        return media;
    }

    private static SdpAttribute ParseAttribute(string value, int number)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? value : value[..colon];
        string? attributeValue = colon < 0 ? null : value[(colon + 1)..];
        if (!SdpSyntax.IsToken(name))
        {
            throw new SdpParseException($"attribute name '{name}' is not a token", number);
        }

        switch (name)
        {
            case "rtpmap" when attributeValue is null || SdpRtpMap.TryParse(attributeValue) is null:
                throw new SdpParseException("a=rtpmap must be <payload type> <encoding>/<clock rate>[/<parameters>]", number);
            case "fmtp" when attributeValue is null || attributeValue.Length == 0 || attributeValue[0] == ' ':
                throw new SdpParseException("a=fmtp must be <format> <parameters>", number);
            case "ptime" or "maxptime" when attributeValue is null || !SdpSyntax.TryParseInt(attributeValue, 100_000, out int ms) || ms == 0:
                throw new SdpParseException($"a={name} must be a positive number of milliseconds", number);
            case "sendrecv" or "sendonly" or "recvonly" or "inactive" when attributeValue is not null:
                throw new SdpParseException($"a={name} takes no value", number);
        }

        return new SdpAttribute(name, attributeValue);
    }
}
