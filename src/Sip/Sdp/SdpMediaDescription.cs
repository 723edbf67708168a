using System.Globalization;
using System.Text;

namespace CallCenter.Sip.Sdp;

/// <summary>
/// One media description: m=&lt;media&gt; &lt;port&gt;[/&lt;count&gt;] &lt;proto&gt; &lt;fmt&gt; ... and its i, c, b, k
/// and a lines. Typed accessors read rtpmap, fmtp, ptime and the direction attributes.
/// </summary>
public sealed class SdpMediaDescription
{
    public SdpMediaDescription(string media, int port, string protocol, IEnumerable<string> formats)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
        Formats = formats.ToList();
    }

    /// <summary>audio, video, text, application, message...</summary>
    public string Media { get; set; }

    /// <summary>The transport port; 0 marks a rejected or disabled stream (RFC 3264 section 6).</summary>
    public int Port { get; set; }

    /// <summary>The optional /&lt;number of ports&gt; after the port.</summary>
    public int? PortCount { get; set; }

    /// <summary>RTP/AVP, RTP/SAVP, udp...</summary>
    public string Protocol { get; set; }

    /// <summary>The format list; payload type numbers for RTP profiles.</summary>
    public List<string> Formats { get; }

    public SdpConnection? Connection { get; set; }

    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>i, b and k lines, kept as text.</summary>
    public List<SdpLine> OtherLines { get; } = [];

    public bool IsRejected => Port == 0;

    public bool IsRtp => Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The media-level direction attribute (the last one), or null when there is none.</summary>
    public SdpDirection? Direction
    {
        get => SdpDirections.LastIn(Attributes);

        set
        {
            Attributes.RemoveAll(attribute => SdpDirections.FromAttributeName(attribute.Name) is not null);
            if (value is SdpDirection direction)
            {
                Attributes.Add(new SdpAttribute(direction.ToAttributeName()));
            }
        }
    }

    /// <summary>a=ptime in milliseconds, or null.</summary>
    public int? Ptime
    {
        get
        {
            string? value = GetAttribute("ptime");
            return value is not null && SdpSyntax.TryParseInt(value, 100_000, out int ptime) ? ptime : null;
        }
    }

    public IEnumerable<SdpRtpMap> RtpMaps =>
        Attributes.Where(a => a.Name == "rtpmap" && a.Value is not null)
            .Select(a => SdpRtpMap.TryParse(a.Value!))
            .OfType<SdpRtpMap>();

    /// <summary>The first value of attribute <paramref name="name"/>, or null.</summary>
    public string? GetAttribute(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Value;

    public bool HasAttribute(string name) => Attributes.Any(a => a.Name == name);

    public SdpRtpMap? GetRtpMap(int payloadType) => RtpMaps.FirstOrDefault(map => map.PayloadType == payloadType);

    /// <summary>The parameters of a=fmtp:&lt;format&gt; &lt;parameters&gt;, or null.</summary>
    public string? GetFmtp(string format)
    {
        foreach (SdpAttribute attribute in Attributes)
        {
            if (attribute.Name == "fmtp" && attribute.Value is string value)
            {
                int space = value.IndexOf(' ', StringComparison.Ordinal);
                string fmt = space < 0 ? value : value[..space];
                if (fmt == format)
                {
                    return space < 0 ? "" : value[(space + 1)..].Trim();
                }
            }
        }

        return null;
    }

    /// <summary>Adds an rtpmap line (and an fmtp line when given) for a payload type.</summary>
    public void AddRtpMap(SdpRtpMap map, string? fmtp = null)
    {
        Attributes.Add(new SdpAttribute("rtpmap", map.ToString()));
        if (fmtp is not null)
        {
            Attributes.Add(new SdpAttribute("fmtp", string.Create(CultureInfo.InvariantCulture, $"{map.PayloadType} {fmtp}")));
        }
    }

    internal string MediaLineValue =>
        string.Create(CultureInfo.InvariantCulture, $"{Media} {Port}")
        + (PortCount is int count ? string.Create(CultureInfo.InvariantCulture, $"/{count}") : "")
        + $" {Protocol} {string.Join(' ', Formats)}";

    internal void AppendTo(StringBuilder builder)
    {
        SdpSessionDescription.AppendLine(builder, 'm', MediaLineValue);
        SdpSessionDescription.AppendOther(builder, OtherLines, 'i');
        if (Connection is not null)
        {
            SdpSessionDescription.AppendLine(builder, 'c', Connection.ToString());
        }

        SdpSessionDescription.AppendOther(builder, OtherLines, 'b');
        SdpSessionDescription.AppendOther(builder, OtherLines, 'k');
        foreach (SdpAttribute attribute in Attributes)
        {
            SdpSessionDescription.AppendLine(builder, 'a', attribute.ToString());
        }
    }
}
