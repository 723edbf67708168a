using CallCenter.WebRtc.Srtp;

namespace CallCenter.WebRtc.Tests.Srtp;

/// <summary>Unprotect on random and on mutated valid packets (fixed seeds, bounded counts): a status, never an exception.</summary>
public sealed class SrtpFuzzTests
{
    private const int Rounds = 5000;

    [Fact]
    public void Unprotect_RandomBytes_NeverThrowsAndNeverAccepts()
    {
        var random = new Random(14);
        using var receiver = Session();
        for (var round = 0; round < Rounds; round++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            if (round % 2 == 0 && packet.Length > 0)
            {
                packet[0] = (byte)(0x80 | (packet[0] & 0x3F)); // version 2, to get past the first check
            }

            var length = random.Next(0, 4) == 0 ? random.Next(-2, packet.Length + 3) : packet.Length;

            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(packet.ToArray(), length, out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, length, out _));
        }
    }

    [Fact]
    public void Unprotect_MutatedValidPackets_NeverThrowsAndAcceptsOnlyTheUntouched()
    {
        var random = new Random(3711);
        using var sender = Session();
        using var receiver = Session();
        for (var round = 0; round < Rounds; round++)
        {
            var rtp = SrtpTestPackets.Rtp((ushort)round, 0xCAFE, random.Next(0, 200), random.Next(0, 3), random.Next(-1, 3));
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(rtp, SrtpTestPackets.RtpLength(rtp), out var rtpLength));
            var rtcp = SrtpTestPackets.Rtcp(0xCAFE, 4 * random.Next(0, 50));
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, rtcp.Length - 20, out var rtcpLength));

            var mutatedRtp = Mutate(random, rtp, rtpLength, out var newRtpLength);
            var mutatedRtcp = Mutate(random, rtcp, rtcpLength, out var newRtcpLength);

            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(mutatedRtp, newRtpLength, out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtcp(mutatedRtcp, newRtcpLength, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(rtp, rtpLength, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(rtcp, rtcpLength, out _));
        }
    }

    private static byte[] Mutate(Random random, byte[] packet, int length, out int newLength)
    {
        var mutated = packet.ToArray();
        newLength = length;
        switch (random.Next(4))
        {
            case 0: // flip one bit in each of up to three distinct bytes
                foreach (var at in Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(length)).Distinct())
                {
                    mutated[at] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1: // truncate
                newLength = random.Next(0, length);
                break;
            case 2: // overwrite a run with random bytes
                var start = random.Next(length);
                var run = random.Next(1, length - start + 1);
                var noise = new byte[run];
                do
                {
                    random.NextBytes(noise);
                }
                while (noise.AsSpan().SequenceEqual(mutated.AsSpan(start, run)));

                noise.CopyTo(mutated, start);
                break;
            default: // extend with garbage (the buffer has room)
                var extra = random.Next(1, Math.Min(8, mutated.Length - length) + 1);
                random.NextBytes(mutated.AsSpan(length, extra));
                newLength = length + extra;
                break;
        }

        return mutated;
    }

    private static SrtpSession Session() => new(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
}
