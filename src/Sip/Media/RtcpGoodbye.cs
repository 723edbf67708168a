using System.Buffers.Binary;
using System.Text;

namespace CallCenter.Sip.Media;

/// <summary>Goodbye, PT 203 (RFC 3550 section 6.6).</summary>
public sealed class RtcpGoodbye : RtcpPacket
{
    public override RtcpPacketType PacketType => RtcpPacketType.Goodbye;

    public List<uint> Ssrcs { get; init; } = [];

    public string? Reason { get; set; }

    protected override int BodySize =>
        (4 * Ssrcs.Count) + (Reason is null ? 0 : RtcpSenderReport.Pad4(1 + ReasonLength()));

    protected override int HeaderCount
    {
        get
        {
            CheckReportCount(Ssrcs.Count);
            return Ssrcs.Count;
        }
    }

    protected override void WriteBody(Span<byte> body)
    {
        int offset = 0;
        foreach (uint ssrc in Ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(body[offset..], ssrc);
            offset += 4;
        }

        if (Reason is not null)
        {
            int length = ReasonLength();
            body[offset] = (byte)length;
            Encoding.UTF8.GetBytes(Reason, body.Slice(offset + 1, length));
        }
    }

    private int ReasonLength()
    {
        int length = Encoding.UTF8.GetByteCount(Reason ?? "");
        return length <= 255 ? length : throw new InvalidOperationException("a BYE reason is at most 255 bytes");
    }
}
