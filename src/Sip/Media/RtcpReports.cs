using System.Buffers.Binary;

namespace CallCenter.Sip.Media;

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
