using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace CallCenter.Sip.Media;

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
