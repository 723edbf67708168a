using System.Text;
using CallCenter.Sip.Media;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Tests.Sdp;

namespace CallCenter.Sip.Tests.Media;

/// <summary>Random and mutated input: RTP/RTCP TryParse never throw; SDP only throws SdpParseException.</summary>
public sealed class MediaFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void RtpTryParse_TwentyThousandRandomArrays_NeverThrowsAndReserializes()
    {
        var random = new Random(3550);
        int parsed = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] data = RandomBytes(random, 64);
            if (i % 2 == 0 && data.Length > 0)
            {
                data[0] = (byte)(0x80 | (data[0] & 0x3F)); // version 2 so the deeper checks run
            }

            if (RtpPacket.TryParse(data, out RtpPacket? packet))
            {
                parsed++;
                // Padding bytes other than the count are not kept, so compare the reparsed packet.
                Assert.True(RtpPacket.TryParse(packet.ToBytes(), out RtpPacket? again));
                Assert.Equal(packet.Payload, again.Payload);
                Assert.Equal(packet.Size, data.Length);
            }
        }

        Assert.InRange(parsed, 1, Iterations);
    }

    [Fact]
    public void RtcpTryParse_TwentyThousandRandomAndMutatedArrays_NeverThrows()
    {
        var random = new Random(3551);
        byte[] seed = RtcpCompoundPacket.Build(
        [
            new RtcpSenderReport { Ssrc = 1, ReportBlocks = [new RtcpReportBlock { Ssrc = 2 }] },
            RtcpSourceDescription.ForCName(1, "fuzz@example"),
            new RtcpGoodbye { Ssrcs = [1], Reason = "bye" },
        ]);
        int parsed = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] data = i % 2 == 0 ? RandomBytes(random, 96) : Mutate(seed, random);
            if (RtcpCompoundPacket.TryParse(data, out IReadOnlyList<RtcpPacket>? packets))
            {
                parsed++;
                Assert.NotEmpty(packets);
                _ = RtcpCompoundPacket.Build(packets);
            }
        }

        Assert.InRange(parsed, 1, Iterations);
    }

    [Fact]
    public void SdpParse_TwentyThousandRandomAndMutatedInputs_OnlyThrowsSdpParseException()
    {
        var random = new Random(4566);
        byte[] seed = Encoding.UTF8.GetBytes(SdpParserTests.Rfc3264Offer + "a=sendonly\r\na=fmtp:97 mode=30\r\na=ptime:20\r\n");
        var endpoint = new SdpOfferAnswer("192.0.2.1", 10000);
        int parsed = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] data = i % 4 == 0 ? RandomBytes(random, 200) : Mutate(seed, random);
            try
            {
                SdpSessionDescription sdp = SdpSessionDescription.Parse(data);
                parsed++;
                // Whatever parses must serialize, reparse and be answerable.
                SdpSessionDescription again = SdpSessionDescription.Parse(sdp.ToString());
                Assert.Equal(sdp.ToString(), again.ToString());
                _ = endpoint.CreateAnswer(sdp);
            }
            catch (SdpParseException exception)
            {
                Assert.False(string.IsNullOrEmpty(exception.Message));
            }
        }

        Assert.InRange(parsed, 1, Iterations);
    }

    private static byte[] RandomBytes(Random random, int maxLength)
    {
        var data = new byte[random.Next(maxLength + 1)];
        random.NextBytes(data);
        return data;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && data.Count > 0; e++)
        {
            int position = random.Next(data.Count);
            switch (random.Next(4))
            {
                case 0:
                    data[position] = (byte)random.Next(256);
                    break;
                case 1:
                    data.RemoveAt(position);
                    break;
                case 2:
                    data.Insert(position, (byte)"\r\n :/=0a9 "[random.Next(10)]);
                    break;
                default:
                    data.RemoveRange(position, Math.Min(data.Count - position, random.Next(1, 16)));
                    break;
            }
        }

        return [.. data];
    }
}
