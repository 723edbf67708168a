using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class RtcpTests
{
    private static readonly RtcpReportBlock Block = new()
    {
        Ssrc = 0x01020304,
        FractionLost = 51,
        CumulativeLost = -3,
        ExtendedHighestSequence = 0x00010005,
        Jitter = 17,
        LastSenderReport = 0xAABBCCDD,
        DelaySinceLastSenderReport = 98304,
    };

    [Fact]
    public void ReceiverReport_ToBytes_MatchesRfc3550Layout()
    {
        var report = new RtcpReceiverReport { Ssrc = 0x11223344, ReportBlocks = [Block] };

        byte[] bytes = report.ToBytes();

        byte[] expected = Convert.FromHexString(
            "81C90007" + "11223344" + "01020304" + "33" + "FFFFFD" + "00010005" + "00000011" + "AABBCCDD" + "00018000");
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Compound_SenderReportSdesBye_RoundTrips()
    {
        var sr = new RtcpSenderReport
        {
            Ssrc = 7,
            NtpTimestamp = 0xE8A1B2C3D4E5F607,
            RtpTimestamp = 160000,
            PacketCount = 1000,
            OctetCount = 160000,
            ReportBlocks = [Block, Block with { Ssrc = 9, CumulativeLost = 8_388_607 }],
        };
        var sdes = RtcpSourceDescription.ForCName(7, "agent-42@callcenter");
        var bye = new RtcpGoodbye { Ssrcs = [7], Reason = "call ended" };

        byte[] bytes = RtcpCompoundPacket.Build([sr, sdes, bye]);

        Assert.Equal(0, bytes.Length % 4);
        Assert.True(RtcpCompoundPacket.TryParse(bytes, out IReadOnlyList<RtcpPacket>? packets));
        Assert.Equal(3, packets.Count);
        var parsedSr = Assert.IsType<RtcpSenderReport>(packets[0]);
        Assert.Equal(sr.Ssrc, parsedSr.Ssrc);
        Assert.Equal(sr.NtpTimestamp, parsedSr.NtpTimestamp);
        Assert.Equal(sr.RtpTimestamp, parsedSr.RtpTimestamp);
        Assert.Equal(sr.PacketCount, parsedSr.PacketCount);
        Assert.Equal(sr.OctetCount, parsedSr.OctetCount);
        Assert.Equal(sr.ReportBlocks, parsedSr.ReportBlocks);
        var parsedSdes = Assert.IsType<RtcpSourceDescription>(packets[1]);
        RtcpSdesChunk chunk = Assert.Single(parsedSdes.Chunks);
        Assert.Equal(7u, chunk.Ssrc);
        Assert.Equal(new RtcpSdesItem(RtcpSdesItem.CName, "agent-42@callcenter"), Assert.Single(chunk.Items));
        var parsedBye = Assert.IsType<RtcpGoodbye>(packets[2]);
        Assert.Equal([7u], parsedBye.Ssrcs);
        Assert.Equal("call ended", parsedBye.Reason);
        Assert.Equal(bytes, RtcpCompoundPacket.Build(packets));
    }

    [Fact]
    public void Compound_ReceiverReportWithoutBlocksAndByeWithoutReason_RoundTrips()
    {
        byte[] bytes = RtcpCompoundPacket.Build([new RtcpReceiverReport { Ssrc = 1 }, new RtcpGoodbye { Ssrcs = [1, 2] }]);

        Assert.Equal(Convert.FromHexString("80C90001" + "00000001" + "82CB0002" + "00000001" + "00000002"), bytes);
        Assert.True(RtcpCompoundPacket.TryParse(bytes, out IReadOnlyList<RtcpPacket>? packets));
        Assert.Empty(Assert.IsType<RtcpReceiverReport>(packets[0]).ReportBlocks);
        Assert.Null(Assert.IsType<RtcpGoodbye>(packets[1]).Reason);
    }

    [Fact]
    public void TryParse_UnknownPacketType_IsKeptRaw()
    {
        byte[] bytes = Convert.FromHexString("80C90001" + "00000001" + "81CC0002" + "00000001" + "41424344");

        Assert.True(RtcpCompoundPacket.TryParse(bytes, out IReadOnlyList<RtcpPacket>? packets));
        var app = Assert.IsType<RtcpUnknownPacket>(packets[1]);
        Assert.Equal(RtcpPacketType.ApplicationDefined, app.PacketType);
        Assert.Equal(1, app.Count);
        Assert.Equal(8, app.Body.Length);
    }

    [Fact]
    public void TryParse_PaddingOnLastPacket_IsRemoved()
    {
        byte[] bytes = Convert.FromHexString("80C90001" + "00000001" + "A1CB0002" + "00000009" + "00000004");

        Assert.True(RtcpCompoundPacket.TryParse(bytes, out IReadOnlyList<RtcpPacket>? packets));
        var bye = Assert.IsType<RtcpGoodbye>(packets[1]);
        Assert.Equal([9u], bye.Ssrcs);
        Assert.Null(bye.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80C9")] // shorter than a header
    [InlineData("40C9000100000001")] // version 1
    [InlineData("80CB000100000001")] // first packet is a BYE, not SR/RR
    [InlineData("80C9000200000001")] // length says 12 bytes, 8 present
    [InlineData("80C900010000000100")] // a stray byte after the last packet
    [InlineData("81C9000100000001")] // one report block announced, none present
    [InlineData("A0C9000100000001" + "81CB000100000001")] // padding on a packet that is not last
    [InlineData("A0C9000100000000")] // padding count 0
    [InlineData("80C9000100000001" + "81CA0001" + "00000001")] // SDES chunk without the null item
    [InlineData("80C9000100000001" + "81CB0001" + "00000001" + "81CB000200000001" + "05414200")] // BYE reason longer than the packet
    public void TryParse_InvalidCompound_ReturnsFalse(string hex)
    {
        Assert.False(RtcpCompoundPacket.TryParse(Convert.FromHexString(hex), out IReadOnlyList<RtcpPacket>? packets));
        Assert.Null(packets);
    }

    [Fact]
    public void NtpTimestamp_RoundTripsThroughDateTime()
    {
        var time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 500, TimeSpan.Zero);

        ulong ntp = NtpTimestamp.FromDateTime(time);

        Assert.Equal(3_923_968_089u, (uint)(ntp >> 32));
        Assert.Equal(0x80000000u, (uint)ntp);
        Assert.Equal(time, NtpTimestamp.ToDateTime(ntp));
        Assert.Equal(0xE8F48980u, NtpTimestamp.Middle32(0x0000_E8F4_8980_0000));
    }
}
