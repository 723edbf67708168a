namespace CallCenter.WebRtc.Stun;

/// <summary>What a datagram on the shared media port is, judged by its first byte.</summary>
public enum PacketKind
{
    Unknown,
    Stun,
    Zrtp,
    Dtls,
    TurnChannel,
    RtpOrRtcp,
}

/// <summary>
/// Demultiplexes STUN, DTLS and SRTP/SRTCP arriving on one port (RFC 7983 section 7, updating RFC 5764 section 5.1.2):
/// 0-3 STUN, 16-19 ZRTP, 20-63 DTLS, 64-79 TURN channel, 128-191 RTP and RTCP; anything else is dropped.
/// </summary>
public static class PacketClassifier
{
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => PacketKind.Stun,
            >= 16 and <= 19 => PacketKind.Zrtp,
            >= 20 and <= 63 => PacketKind.Dtls,
            >= 64 and <= 79 => PacketKind.TurnChannel,
            >= 128 and <= 191 => PacketKind.RtpOrRtcp,
            _ => PacketKind.Unknown,
        };
    }
}
