using System.Net;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Sdp;

namespace CallCenter.EdgeSip.Calls;

/// <summary>Applies what an SDP offer/answer settled to a leg's RTP endpoint: codec, telephone-event type, remote address, and whether we send at all.</summary>
internal static class NegotiatedMedia
{
    public static void Apply(RtpEndpoint media, SdpAudioSession audio)
    {
        media.Codec = audio.Codec.PayloadType == SdpCodec.Pcma.PayloadType ? AudioCodec.Pcma : AudioCodec.Pcmu;
        if (audio.TelephoneEvent is { PayloadType: >= 96 and <= 127 } events)
        {
            media.TelephoneEventPayloadType = events.PayloadType;
        }

        // RFC 3264 6.1: we send only when our direction says so (the peer's sendonly or inactive makes ours recvonly
        // or inactive, and nothing goes to it, music on hold included, until it offers sendrecv or recvonly again).
        media.Muted = !audio.LocalDirection.Sends();

        // A hold address (0.0.0.0) or port 0 keeps the last remote: nothing is sent there anyway while held.
        if (IPAddress.TryParse(audio.RemoteAddress, out var address) && audio.RemotePort > 0 && !audio.RemoteHolds)
        {
            media.SetRemote(new IPEndPoint(address, audio.RemotePort));
        }
    }
}
