using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class RtpHeaderTests
{
    [Fact]
    public void TryRead_AgreesWithRtpPacketTryParse_OnValidAndMangledPackets()
    {
        var random = new Random(4733);
        for (int i = 0; i < 20_000; i++)
        {
            var packet = new RtpPacket
            {
                Marker = random.Next(2) == 1,
                PayloadType = random.Next(128),
                SequenceNumber = (ushort)random.Next(65536),
                Timestamp = (uint)random.NextInt64(uint.MaxValue),
                Ssrc = (uint)random.NextInt64(uint.MaxValue),
                Csrcs = Enumerable.Range(0, random.Next(3)).Select(_ => (uint)random.Next()).ToArray(),
                ExtensionData = random.Next(3) == 0 ? new byte[4 * random.Next(3)] : null,
                PaddingLength = random.Next(4) == 0 ? random.Next(1, 8) : 0,
                Payload = new byte[random.Next(0, 200)],
            };
            byte[] bytes = packet.ToBytes();
            if (random.Next(2) == 0)
            {
                // Mangle: truncate or flip a header byte.
                if (random.Next(2) == 0)
                {
                    bytes = bytes[..random.Next(bytes.Length)];
                }
                else
                {
                    bytes[random.Next(Math.Min(bytes.Length, 16))] ^= (byte)random.Next(1, 256);
                }
            }

            bool parsed = RtpPacket.TryParse(bytes, out RtpPacket? reference);
            bool read = RtpHeader.TryRead(bytes, out RtpHeader header);

            Assert.Equal(parsed, read);
            if (parsed)
            {
                Assert.Equal(reference!.Marker, header.Marker);
                Assert.Equal(reference.PayloadType, header.PayloadType);
                Assert.Equal(reference.SequenceNumber, header.SequenceNumber);
                Assert.Equal(reference.Timestamp, header.Timestamp);
                Assert.Equal(reference.Ssrc, header.Ssrc);
                Assert.Equal(reference.Payload, bytes.AsSpan(header.PayloadOffset, header.PayloadLength).ToArray());
            }
        }
    }

    [Fact]
    public void Write_ProducesWhatRtpPacketParses()
    {
        var bytes = new byte[RtpHeader.Size + 3];
        RtpHeader.Write(bytes, marker: true, payloadType: 8, sequenceNumber: 65535, timestamp: 0xDEADBEEF, ssrc: 42);

        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket? packet));
        Assert.True(packet.Marker);
        Assert.Equal(8, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(0xDEADBEEF, packet.Timestamp);
        Assert.Equal(42u, packet.Ssrc);
        Assert.Equal(3, packet.Payload.Length);
    }
}
