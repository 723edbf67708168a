using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

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

/// <summary>Sender report, PT 200 (RFC 3550 section 6.4.1).</summary>
public sealed class RtcpSenderReport : RtcpPacket
{
    public override RtcpPacketType PacketType => RtcpPacketType.SenderReport;

    public uint Ssrc { get; set; }

    /// <summary>64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low 32).</summary>
    public ulong NtpTimestamp { get; set; }

    public uint RtpTimestamp { get; set; }

    public uint PacketCount { get; set; }

    public uint OctetCount { get; set; }

    public List<RtcpReportBlock> ReportBlocks { get; init; } = [];

    /// <summary>Profile-specific extension after the report blocks (multiple of 4 bytes), kept as read.</summary>
    public byte[] ProfileExtension { get; set; } = [];

    protected override int BodySize => 24 + (RtcpReportBlock.Size * ReportBlocks.Count) + Pad4(ProfileExtension.Length);

    protected override int HeaderCount
    {
        get
        {
            CheckReportCount(ReportBlocks.Count);
            return ReportBlocks.Count;
        }
    }

    protected override void WriteBody(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(body[4..], NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[16..], PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(body[20..], OctetCount);
        int offset = 24;
        foreach (RtcpReportBlock block in ReportBlocks)
        {
            block.Write(body[offset..]);
            offset += RtcpReportBlock.Size;
        }

        ProfileExtension.CopyTo(body[offset..]);
    }

    internal static int Pad4(int length) => (length + 3) & ~3;
}

/// <summary>Receiver report, PT 201 (RFC 3550 section 6.4.2).</summary>
public sealed class RtcpReceiverReport : RtcpPacket
{
    public override RtcpPacketType PacketType => RtcpPacketType.ReceiverReport;

    public uint Ssrc { get; set; }

    public List<RtcpReportBlock> ReportBlocks { get; init; } = [];

    public byte[] ProfileExtension { get; set; } = [];

    protected override int BodySize => 4 + (RtcpReportBlock.Size * ReportBlocks.Count) + RtcpSenderReport.Pad4(ProfileExtension.Length);

    protected override int HeaderCount
    {
        get
        {
            CheckReportCount(ReportBlocks.Count);
            return ReportBlocks.Count;
        }
    }

    protected override void WriteBody(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, Ssrc);
        int offset = 4;
        foreach (RtcpReportBlock block in ReportBlocks)
        {
            block.Write(body[offset..]);
            offset += RtcpReportBlock.Size;
        }

        ProfileExtension.CopyTo(body[offset..]);
    }
}

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

/// <summary>
/// Builds and parses RTCP compound packets (RFC 3550 section 6.1 and the validity checks of appendix A.2).
/// </summary>
public static class RtcpCompoundPacket
{
    public static byte[] Build(IEnumerable<RtcpPacket> packets)
    {
        List<RtcpPacket> list = packets.ToList();
        var bytes = new byte[list.Sum(packet => packet.Size)];
        int offset = 0;
        foreach (RtcpPacket packet in list)
        {
            offset += packet.WriteTo(bytes.AsSpan(offset));
        }

        return bytes;
    }

    /// <summary>
    /// Parses a compound packet. Returns false (never throws) unless every packet has version 2,
    /// only the last one has the padding bit, the lengths add up to the datagram exactly, the first
    /// packet is an SR or RR, and each SR/RR/SDES/BYE body is consistent with its count field.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out IReadOnlyList<RtcpPacket>? packets)
    {
        packets = null;
        var list = new List<RtcpPacket>();
        int offset = 0;
        if (data.Length < RtcpPacket.HeaderSize || data[1] is not (200 or 201))
        {
            return false;
        }

        while (offset < data.Length)
        {
            if (data.Length - offset < RtcpPacket.HeaderSize || data[offset] >> 6 != RtpPacket.Version)
            {
                return false;
            }

            int size = 4 * (BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]) + 1);
            if (data.Length - offset < size)
            {
                return false;
            }

            bool padding = (data[offset] & 0x20) != 0;
            bool isLast = offset + size == data.Length;
            ReadOnlySpan<byte> body = data.Slice(offset + RtcpPacket.HeaderSize, size - RtcpPacket.HeaderSize);
            if (padding)
            {
                int paddingLength = isLast && body.Length > 0 ? body[^1] : 0;
                if (paddingLength == 0 || paddingLength > body.Length)
                {
                    return false;
                }

                body = body[..^paddingLength];
            }

            if (!TryParseOne(data[offset + 1], data[offset] & 0x1F, body, out RtcpPacket? packet))
            {
                return false;
            }

            list.Add(packet);
            offset += size;
        }

        packets = list;
        return true;
    }

    private static bool TryParseOne(byte type, int count, ReadOnlySpan<byte> body, [NotNullWhen(true)] out RtcpPacket? packet)
    {
        packet = null;
        switch (type)
        {
            case (byte)RtcpPacketType.SenderReport:
                {
                    if (body.Length < 24 + (count * RtcpReportBlock.Size))
                    {
                        return false;
                    }

                    var report = new RtcpSenderReport
                    {
                        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body),
                        NtpTimestamp = BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
                        RtpTimestamp = BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
                        PacketCount = BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
                        OctetCount = BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
                    };
                    ReadBlocks(body[24..], count, report.ReportBlocks);
                    report.ProfileExtension = body[(24 + (count * RtcpReportBlock.Size))..].ToArray();
                    packet = report;
                    return true;
                }

            case (byte)RtcpPacketType.ReceiverReport:
                {
                    if (body.Length < 4 + (count * RtcpReportBlock.Size))
                    {
                        return false;
                    }

                    var report = new RtcpReceiverReport { Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body) };
                    ReadBlocks(body[4..], count, report.ReportBlocks);
                    report.ProfileExtension = body[(4 + (count * RtcpReportBlock.Size))..].ToArray();
                    packet = report;
                    return true;
                }

            case (byte)RtcpPacketType.SourceDescription:
                return TryParseSdes(body, count, out packet);

            case (byte)RtcpPacketType.Goodbye:
                {
                    if (body.Length < 4 * count)
                    {
                        return false;
                    }

                    var bye = new RtcpGoodbye();
                    for (int i = 0; i < count; i++)
                    {
                        bye.Ssrcs.Add(BinaryPrimitives.ReadUInt32BigEndian(body[(4 * i)..]));
                    }

                    ReadOnlySpan<byte> rest = body[(4 * count)..];
                    if (rest.Length > 0)
                    {
                        int length = rest[0];
                        if (length + 1 > rest.Length || !TryDecodeUtf8(rest.Slice(1, length), out string? reason))
                        {
                            return false;
                        }

                        bye.Reason = reason;
                    }

                    packet = bye;
                    return true;
                }

            default:
                packet = new RtcpUnknownPacket(type, count, body.ToArray());
                return true;
        }
    }

    private static void ReadBlocks(ReadOnlySpan<byte> data, int count, List<RtcpReportBlock> blocks)
    {
        for (int i = 0; i < count; i++)
        {
            blocks.Add(RtcpReportBlock.Read(data[(i * RtcpReportBlock.Size)..]));
        }
    }

    private static bool TryParseSdes(ReadOnlySpan<byte> body, int count, [NotNullWhen(true)] out RtcpPacket? packet)
    {
        packet = null;
        var sdes = new RtcpSourceDescription();
        int offset = 0;
        for (int chunkIndex = 0; chunkIndex < count; chunkIndex++)
        {
            int start = offset;
            if (body.Length - offset < 4)
            {
                return false;
            }

            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[offset..]);
            offset += 4;
            var items = new List<RtcpSdesItem>();
            while (true)
            {
                if (offset >= body.Length)
                {
                    return false;
                }

                byte itemType = body[offset];
                if (itemType == 0)
                {
                    break;
                }

                if (body.Length - offset < 2 || body.Length - offset - 2 < body[offset + 1]
                    || !TryDecodeUtf8(body.Slice(offset + 2, body[offset + 1]), out string? value))
                {
                    return false;
                }

                items.Add(new RtcpSdesItem(itemType, value));
                offset += 2 + body[offset + 1];
            }

            // The null item, then padding up to the next 32-bit boundary.
            offset = start + RtcpSenderReport.Pad4(offset - start + 1);
            if (offset > body.Length)
            {
                return false;
            }

            sdes.Chunks.Add(new RtcpSdesChunk(ssrc, items));
        }

        packet = sdes;
        return true;
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (!Utf8.IsValid(bytes))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}

/// <summary>NTP timestamps as RTCP carries them (RFC 3550 section 4).</summary>
public static class NtpTimestamp
{
    private static readonly DateTimeOffset Epoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ulong FromDateTime(DateTimeOffset time)
    {
        TimeSpan since = time - Epoch;
        ulong seconds = (ulong)(since.Ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)(since.Ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    public static DateTimeOffset ToDateTime(ulong ntp)
    {
        long seconds = (long)(ntp >> 32);
        long ticks = (long)((ntp & 0xFFFFFFFF) * (ulong)TimeSpan.TicksPerSecond >> 32);
        return Epoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + ticks);
    }

    /// <summary>The middle 32 bits, as used in the LSR field of a report block.</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);
}
