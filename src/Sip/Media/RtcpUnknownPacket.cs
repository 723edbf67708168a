namespace CallCenter.Sip.Media;

/// <summary>Any other RTCP packet (APP, RTPFB, PSFB, XR...), kept as its count field and raw body.</summary>
public sealed class RtcpUnknownPacket : RtcpPacket
{
    private readonly int _packetType;

    public RtcpUnknownPacket(int packetType, int count, byte[] body)
    {
        _packetType = packetType;
        Count = count;
        Body = body;
    }

    public override RtcpPacketType PacketType => (RtcpPacketType)_packetType;

    public int Count { get; }

    public byte[] Body { get; }

    protected override int BodySize => RtcpSenderReport.Pad4(Body.Length);

    protected override int HeaderCount => Count;

    protected override void WriteBody(Span<byte> body) => Body.CopyTo(body);
}
