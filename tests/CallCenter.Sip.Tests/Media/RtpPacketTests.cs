using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class RtpPacketTests
{
    [Fact]
    public void TryParse_MinimalPcmuPacket_ReadsHeaderFields()
    {
        byte[] data = [0x80, 0x80, 0x12, 0x34, 0x00, 0x00, 0x01, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, 0xFF, 0xFF, 0x7F];

        Assert.True(RtpPacket.TryParse(data, out RtpPacket? packet));

        Assert.True(packet.Marker);
        Assert.Equal(0, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(320u, packet.Timestamp);
        Assert.Equal(0xDEADBEEFu, packet.Ssrc);
        Assert.Empty(packet.Csrcs);
        Assert.False(packet.HasExtension);
        Assert.Equal(0, packet.PaddingLength);
        Assert.Equal([0xFF, 0xFF, 0x7F], packet.Payload);
    }

    [Fact]
    public void TryParse_CsrcExtensionAndPadding_ReadsEveryPart()
    {
        byte[] data =
        [
            0xB2, 0x65, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x0B, // two CSRCs
            0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00, // extension: profile 0xBEDE, one word
            0x01, 0x02, // payload
            0x00, 0x00, 0x03, // three bytes of padding
        ];

        Assert.True(RtpPacket.TryParse(data, out RtpPacket? packet));

        Assert.False(packet.Marker);
        Assert.Equal(101, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(uint.MaxValue, packet.Timestamp);
        Assert.Equal([10u, 11u], packet.Csrcs);
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal([0x10, 0xAA, 0x00, 0x00], packet.ExtensionData);
        Assert.Equal(3, packet.PaddingLength);
        Assert.Equal([0x01, 0x02], packet.Payload);
        Assert.Equal(data, packet.ToBytes());
    }

    [Fact]
    public void ToBytes_ThenTryParse_RoundTrips()
    {
        var packet = new RtpPacket
        {
            Marker = true,
            PayloadType = 8,
            SequenceNumber = 40000,
            Timestamp = 123456789,
            Ssrc = 42,
            Csrcs = [1, 2, 3],
            ExtensionProfile = 0x1000,
            ExtensionData = [1, 2, 3, 4, 5, 6, 7, 8],
            PaddingLength = 4,
            Payload = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray(),
        };

        byte[] bytes = packet.ToBytes();
        Assert.Equal(packet.Size, bytes.Length);
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket? parsed));

        Assert.Equal(packet.Marker, parsed.Marker);
        Assert.Equal(packet.PayloadType, parsed.PayloadType);
        Assert.Equal(packet.SequenceNumber, parsed.SequenceNumber);
        Assert.Equal(packet.Timestamp, parsed.Timestamp);
        Assert.Equal(packet.Ssrc, parsed.Ssrc);
        Assert.Equal(packet.Csrcs, parsed.Csrcs);
        Assert.Equal(packet.ExtensionProfile, parsed.ExtensionProfile);
        Assert.Equal(packet.ExtensionData, parsed.ExtensionData);
        Assert.Equal(packet.PaddingLength, parsed.PaddingLength);
        Assert.Equal(packet.Payload, parsed.Payload);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80000001000000a0deadbe")] // 11 bytes
    [InlineData("40000001000000a0deadbeef")] // version 1
    [InlineData("c0000001000000a0deadbeef")] // version 3
    [InlineData("81000001000000a0deadbeef")] // one CSRC announced, none present
    [InlineData("90000001000000a0deadbeefbede0001")] // extension word missing
    [InlineData("a0000001000000a0deadbeef0100")] // padding count 0
    [InlineData("a0000001000000a0deadbeef0105")] // padding longer than the payload
    [InlineData("a0000001000000a0deadbeef")] // padding bit without any byte
    public void TryParse_InvalidPacket_ReturnsFalse(string hex)
    {
        Assert.False(RtpPacket.TryParse(Convert.FromHexString(hex), out RtpPacket? packet));
        Assert.Null(packet);
    }

    [Fact]
    public void Setters_OutOfRangeValues_Throw()
    {
        var packet = new RtpPacket();
        Assert.Throws<ArgumentOutOfRangeException>(() => packet.PayloadType = 128);
        Assert.Throws<ArgumentOutOfRangeException>(() => packet.PaddingLength = 256);
        Assert.Throws<ArgumentOutOfRangeException>(() => packet.Csrcs = new uint[16]);
        Assert.Throws<ArgumentException>(() => packet.ExtensionData = new byte[3]);
    }

    [Theory]
    [InlineData(65535, 0, 1)]
    [InlineData(0, 65535, -1)]
    [InlineData(100, 200, 100)]
    [InlineData(65000, 500, 1036)]
    public void SequenceDifference_AcrossWrap_IsSigned(int from, int to, int expected)
    {
        Assert.Equal(expected, RtpSequence.Difference((ushort)from, (ushort)to));
        Assert.Equal(expected > 0, RtpSequence.IsNewer((ushort)to, (ushort)from));
    }

    [Fact]
    public void TimestampDifference_AcrossWrap_IsSigned()
    {
        Assert.Equal(160, RtpSequence.TimestampDifference(uint.MaxValue - 79, 80));
        Assert.Equal(-160, RtpSequence.TimestampDifference(80, uint.MaxValue - 79));
        Assert.True(RtpSequence.IsTimestampNewer(5, uint.MaxValue));
    }
}
