using System.Buffers.Binary;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// The fields of an RTP header read in place, for the per-packet hot path. <see cref="RtpPacket.TryParse"/> accepts
/// and rejects exactly the same datagrams but allocates a packet, a CSRC array and a payload copy each time; at
/// 100,000 packets a second the relay cannot afford that, so it reads the header here and slices the payload.
/// The tests check the two agree.
/// </summary>
internal readonly record struct RtpHeader(bool Marker, int PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, int PayloadOffset, int PayloadLength)
{
    public const int Size = RtpPacket.FixedHeaderSize;

    /// <summary>Reads the header of <paramref name="data"/>; false when <see cref="RtpPacket.TryParse"/> would refuse the datagram.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out RtpHeader header)
    {
        header = default;
        if (data.Length < Size || data[0] >> 6 != RtpPacket.Version)
        {
            return false;
        }

        int offset = Size + (4 * (data[0] & 0x0F));
        if (data.Length < offset)
        {
            return false;
        }

        if ((data[0] & 0x10) != 0)
        {
            if (data.Length < offset + 4)
            {
                return false;
            }

            int extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            offset += 4;
            if (data.Length < offset + extensionLength)
            {
                return false;
            }

            offset += extensionLength;
        }

        int end = data.Length;
        if ((data[0] & 0x20) != 0)
        {
            int padding = data[^1];
            if (padding == 0 || end - offset < padding)
            {
                return false;
            }

            end -= padding;
        }

        header = new RtpHeader(
            (data[1] & 0x80) != 0,
            data[1] & 0x7F,
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            offset,
            end - offset);
        return true;
    }

    /// <summary>True for RTCP multiplexed on the RTP port (RFC 5761: packet types 192-223 read as payload types 64-95).</summary>
    public static bool IsRtcp(int payloadType) => payloadType is >= 64 and <= 95;

    /// <summary>Writes a 12-byte header (version 2, no padding, extension or CSRCs).</summary>
    public static void Write(Span<byte> destination, bool marker, int payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = RtpPacket.Version << 6;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }
}
