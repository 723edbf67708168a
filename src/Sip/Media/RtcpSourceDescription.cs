using System.Buffers.Binary;
using System.Text;

namespace CallCenter.Sip.Media;

/// <summary>One SDES item (type 1 = CNAME ... 8 = PRIV).</summary>
public sealed record RtcpSdesItem(byte Type, string Value)
{
    public const byte CName = 1;
}

/// <summary>One SDES chunk: an SSRC and its items.</summary>
public sealed record RtcpSdesChunk(uint Ssrc, IReadOnlyList<RtcpSdesItem> Items);

/// <summary>Source description, PT 202 (RFC 3550 section 6.5). Needed in every compound packet for CNAME.</summary>
public sealed class RtcpSourceDescription : RtcpPacket
{
    public override RtcpPacketType PacketType => RtcpPacketType.SourceDescription;

    public List<RtcpSdesChunk> Chunks { get; init; } = [];

    protected override int BodySize
    {
        get
        {
            int size = 0;
            foreach (RtcpSdesChunk chunk in Chunks)
            {
                int length = 4;
                foreach (RtcpSdesItem item in chunk.Items)
                {
                    length += 2 + ItemLength(item);
                }

                // At least one null octet ends the item list, then pad to 32 bits.
                size += RtcpSenderReport.Pad4(length + 1);
            }

            return size;
        }
    }

    protected override int HeaderCount
    {
        get
        {
            CheckReportCount(Chunks.Count);
            return Chunks.Count;
        }
    }

    public static RtcpSourceDescription ForCName(uint ssrc, string cname) =>
        new() { Chunks = [new RtcpSdesChunk(ssrc, [new RtcpSdesItem(RtcpSdesItem.CName, cname)])] };

    protected override void WriteBody(Span<byte> body)
    {
        int offset = 0;
        foreach (RtcpSdesChunk chunk in Chunks)
        {
            int start = offset;
            BinaryPrimitives.WriteUInt32BigEndian(body[offset..], chunk.Ssrc);
            offset += 4;
            foreach (RtcpSdesItem item in chunk.Items)
            {
                body[offset] = item.Type;
                int length = ItemLength(item);
                body[offset + 1] = (byte)length;
                Encoding.UTF8.GetBytes(item.Value, body.Slice(offset + 2, length));
                offset += 2 + length;
            }

            offset = start + RtcpSenderReport.Pad4(offset - start + 1);
        }
    }

    private static int ItemLength(RtcpSdesItem item)
    {
        int length = Encoding.UTF8.GetByteCount(item.Value);
        return length <= 255 ? length : throw new InvalidOperationException("an SDES item is at most 255 bytes");
    }
}
