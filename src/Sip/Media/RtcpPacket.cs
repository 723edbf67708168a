using System.Buffers.Binary;

namespace CallCenter.Sip.Media;

/// <summary>RTCP packet types (RFC 3550 section 12.1).</summary>
public enum RtcpPacketType
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Goodbye = 203,
    ApplicationDefined = 204,
}

/// <summary>One reception report block (RFC 3550 section 6.4.1), 24 bytes on the wire.</summary>
public sealed record RtcpReportBlock
{
    public const int Size = 24;

    public uint Ssrc { get; init; }

    /// <summary>Fraction lost since the previous report, as a fixed-point number with the binary point at the left (0-255).</summary>
    public byte FractionLost { get; init; }

    /// <summary>Cumulative number of packets lost, a 24-bit signed value (-8388608..8388607).</summary>
    public int CumulativeLost { get; init; }

    public uint ExtendedHighestSequence { get; init; }

    public uint Jitter { get; init; }

    /// <summary>The middle 32 bits of the NTP timestamp of the last SR received from this source (0 if none).</summary>
    public uint LastSenderReport { get; init; }

    /// <summary>Delay since that SR, in units of 1/65536 seconds.</summary>
    public uint DelaySinceLastSenderReport { get; init; }

    internal static RtcpReportBlock Read(ReadOnlySpan<byte> data)
    {
        int lost = (data[5] << 16) | (data[6] << 8) | data[7];
        if ((lost & 0x800000) != 0)
        {
            lost |= unchecked((int)0xFF000000);
        }

        return new RtcpReportBlock
        {
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(data),
            FractionLost = data[4],
            CumulativeLost = lost,
            ExtendedHighestSequence = BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            Jitter = BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            LastSenderReport = BinaryPrimitives.ReadUInt32BigEndian(data[16..]),
            DelaySinceLastSenderReport = BinaryPrimitives.ReadUInt32BigEndian(data[20..]),
        };
    }

    internal void Write(Span<byte> destination)
    {
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[4] = FractionLost;
        destination[5] = (byte)(lost >> 16);
        destination[6] = (byte)(lost >> 8);
        destination[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}

/// <summary>Base of the RTCP packets in a compound packet (RFC 3550 section 6).</summary>
public abstract class RtcpPacket
{
    public const int HeaderSize = 4;

    public abstract RtcpPacketType PacketType { get; }

    /// <summary>Size on the wire, a multiple of 4 bytes.</summary>
    public int Size => HeaderSize + BodySize;

    protected abstract int BodySize { get; }

    /// <summary>The 5-bit count field of the header (report count, source count, subtype).</summary>
    protected abstract int HeaderCount { get; }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public int WriteTo(Span<byte> destination)
    {
        int size = Size;
        if (destination.Length < size)
        {
            throw new ArgumentException($"destination needs {size} bytes", nameof(destination));
        }

        destination[0] = (byte)((RtpPacket.Version << 6) | HeaderCount);
        destination[1] = (byte)PacketType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((size / 4) - 1));
        destination[HeaderSize..size].Clear();
        WriteBody(destination[HeaderSize..size]);
        return size;
    }

    protected abstract void WriteBody(Span<byte> body);

    internal static void CheckReportCount(int count)
    {
        if (count > 31)
        {
            throw new InvalidOperationException("an RTCP packet holds at most 31 report blocks or sources");
        }
    }
}
