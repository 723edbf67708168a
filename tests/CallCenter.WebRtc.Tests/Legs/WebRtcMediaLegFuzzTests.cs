using CallCenter.WebRtc.Legs;

namespace CallCenter.WebRtc.Tests.Legs;

/// <summary>
/// Random and mutated datagrams from the selected address reach every path of a connected leg (STUN, SRTP, SRTCP,
/// unknown kinds); the leg never throws (a throw would stop the pump and the last good packet would never arrive),
/// stays connected, and still decrypts good media. DTLS-range first bytes are left out on purpose: an epoch-0 alert
/// from the selected address may legitimately end the association (DtlsFuzzTests cover that parser).
/// </summary>
public sealed class WebRtcMediaLegFuzzTests
{
    private const int Cases = 2000;

    [Fact]
    public async Task RandomAndMutatedDatagrams_NeverDisturbTheLeg()
    {
        await using var host = await LegTestHost.ConnectedAsync();
        var atEdge = new PacketCollector();
        host.Leg.RtpReceived += atEdge.Add;
        var random = new Random(1414);
        var goodCheck = Tests.Ice.BrowserChecks.Check(host.EdgeIce);
        var rtp = LegPackets.Rtp(1, 0xB0B0B0B0);

        for (var i = 0; i < Cases; i++)
        {
            var datagram = (i % 3) switch
            {
                0 => RandomBytes(random),
                1 => Mutate(random, goodCheck),
                _ => Mutate(random, rtp),
            };
            if (datagram.Length > 0 && datagram[0] is >= 20 and <= 63)
            {
                datagram[0] = 0x80;
            }

            host.Browser.SendRaw(datagram);

            // Pace the sender by the receiver so the socket buffers never overflow: every 100 cases, wait for good RTP.
            if (i % 100 == 99)
            {
                Assert.True(host.Browser.SendRtp(LegPackets.Rtp((ushort)(1000 + i), 0xB0B0B0B0)));
                await atEdge.WaitForAsync((i + 1) / 100, $"good RTP after {i + 1} fuzzed datagrams");
            }
        }

        Assert.Equal(WebRtcLegState.Connected, host.Leg.State);
        Assert.Equal(Cases / 100, atEdge.Packets.Count);
        Assert.True(host.Leg.Counters.Dropped > 0);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = valid.ToArray();
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                var start = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(start, random.Next(bytes.Length - start)));
                return bytes;
            default:
                var longer = new byte[bytes.Length + random.Next(1, 40)];
                bytes.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(bytes.Length));
                return longer;
        }
    }
}
