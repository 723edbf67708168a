using System.Globalization;
using System.Net;

namespace CallCenter.WebRtc.Ice;

/// <summary>An SDP attribute line a=Name[:Value], kept apart from the edge's SDP types so either side can map it.</summary>
public sealed record IceSdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? $"a={Name}" : $"a={Name}:{Value}";
}

/// <summary>
/// The ICE attributes of an offer or answer for one bundled media stream on an ICE-lite edge
/// (RFC 8839 sections 5.1-5.4, RFC 8445 sections 5.1.2 and 6.1.1).
/// </summary>
public static class IceSdp
{
    /// <summary>Host candidates have the highest type preference (RFC 8445 section 5.1.2.2).</summary>
    public const int HostTypePreference = 126;

    /// <summary>One address per family, so the highest local preference (section 5.1.2.1).</summary>
    public const int SingleAddressLocalPreference = 65535;

    /// <summary>RTP; with rtcp-mux there is no component 2.</summary>
    public const int RtpComponent = 1;

    /// <summary>Session-level: we are a lite implementation and always controlled.</summary>
    public static IceSdpAttribute IceLite { get; } = new("ice-lite");

    public static IceSdpAttribute EndOfCandidates { get; } = new("end-of-candidates");

    public static IceSdpAttribute IceUfrag(IceCredentials local) => new("ice-ufrag", local.Ufrag);

    public static IceSdpAttribute IcePwd(IceCredentials local) => new("ice-pwd", local.Password);

    /// <summary>priority = 2^24 * type preference + 2^8 * local preference + (256 - component id).</summary>
    public static uint CandidatePriority(int typePreference, int localPreference, int componentId)
        => (uint)((typePreference << 24) | (localPreference << 8) | (256 - componentId));

    /// <summary>a=candidate:&lt;foundation&gt; &lt;component&gt; udp &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ host</summary>
    public static IceSdpAttribute HostCandidate(IPEndPoint address, string foundation = "1", int componentId = RtpComponent)
    {
        var priority = CandidatePriority(HostTypePreference, SingleAddressLocalPreference, componentId);
        var ip = address.Address.IsIPv4MappedToIPv6 ? address.Address.MapToIPv4() : address.Address;
        return new IceSdpAttribute("candidate", string.Create(CultureInfo.InvariantCulture,
            $"{foundation} {componentId} udp {priority} {ip} {address.Port} typ host"));
    }

    /// <summary>Every ICE attribute of our side for one stream: session-level ice-lite, then the media-level ones.</summary>
    public static IReadOnlyList<IceSdpAttribute> LocalMediaAttributes(IceCredentials local, IPEndPoint hostAddress)
        => [IceUfrag(local), IcePwd(local), HostCandidate(hostAddress), EndOfCandidates];

    /// <summary>
    /// The peer's a=ice-ufrag and a=ice-pwd: media-level values win over session-level ones (RFC 8839 section 5.4).
    /// Null when either is missing or not valid ice-chars of the right length.
    /// </summary>
    public static IceCredentials? ReadRemoteCredentials(
        IEnumerable<IceSdpAttribute> sessionAttributes, IEnumerable<IceSdpAttribute> mediaAttributes)
    {
        string? ufrag = null, password = null;
        foreach (var attribute in sessionAttributes.Concat(mediaAttributes))
        {
            if (attribute.Name == "ice-ufrag")
            {
                ufrag = attribute.Value?.Trim();
            }
            else if (attribute.Name == "ice-pwd")
            {
                password = attribute.Value?.Trim();
            }
        }

        return IceCredentials.IsValid(ufrag, password) ? new IceCredentials(ufrag!, password!) : null;
    }

    /// <summary>The same from SDP text: the session section and the first m= section.</summary>
    public static IceCredentials? ReadRemoteCredentials(string sdp)
    {
        var session = new List<IceSdpAttribute>();
        var media = new List<IceSdpAttribute>();
        var mediaSections = 0;
        foreach (var rawLine in sdp.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                mediaSections++;
            }
            else if (line.StartsWith("a=", StringComparison.Ordinal) && mediaSections <= 1)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var attribute = colon < 0 ? new IceSdpAttribute(line[2..]) : new IceSdpAttribute(line[2..colon], line[(colon + 1)..]);
                (mediaSections == 0 ? session : media).Add(attribute);
            }
        }

        return ReadRemoteCredentials(session, media);
    }
}
