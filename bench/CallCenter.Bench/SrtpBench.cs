using System.Diagnostics;
using CallCenter.WebRtc.Srtp;

namespace CallCenter.Bench;

/// <summary>
/// <c>srtp --packets N --payload B --legs L --gcm 0|1</c>: SRTP protect and unprotect (AES_CM_128_HMAC_SHA1_80, or
/// AEAD_AES_128_GCM with --gcm 1) of N RTP packets (PCMU-sized by default) on one thread, spread round-robin over L
/// sessions as a relay holds them. Prints packets per second, microseconds per packet and bytes allocated per packet
/// for each direction.
/// </summary>
internal static class SrtpBench
{
    public static Task RunAsync(Arguments arguments)
    {
        var packets = arguments.Int("packets");
        var payload = arguments.Int("payload");
        var legs = Math.Max(1, arguments.Int("legs"));
        var profile = arguments.Int("gcm") == 1 ? SrtpProfile.AeadAes128Gcm : SrtpProfile.AesCm128HmacSha1_80;
        var masterKey = new byte[16];
        var masterSalt = new byte[profile.MasterSaltLength()];
        var random = new Random(14);
        random.NextBytes(masterKey);
        random.NextBytes(masterSalt);
        SrtpSession[] Sessions() => [.. Enumerable.Range(0, legs).Select(_ => new SrtpSession(profile, masterKey, masterSalt))];
        var senders = Sessions();
        var receivers = Sessions();
        var length = 12 + payload;
        var buffer = new byte[length + 16];

        // The wire for the unprotect pass, made up front by sessions of their own; the first packet of each leg is
        // unprotected before measuring, since it creates the stream's context (the one allocation a stream makes).
        var wire = new byte[legs + packets][];
        var preparers = Sessions();
        for (var i = 0; i < wire.Length; i++)
        {
            var leg = WriteHeader(buffer, i, legs);
            Check(preparers[leg].ProtectRtp(buffer, length, out var protectedLength));
            wire[i] = buffer[..protectedLength];
        }

        for (var i = 0; i < legs; i++)
        {
            Check(receivers[i].UnprotectRtp(wire[i], wire[i].Length, out _));
            WriteHeader(buffer, i, legs);
            Check(senders[i].ProtectRtp(buffer, length, out _));
        }

        var (protectSeconds, protectAllocated) = Measure(() =>
        {
            for (var i = legs; i < legs + packets; i++)
            {
                var leg = WriteHeader(buffer, i, legs);
                Check(senders[leg].ProtectRtp(buffer, length, out _));
            }
        });
        var (unprotectSeconds, unprotectAllocated) = Measure(() =>
        {
            for (var i = legs; i < legs + packets; i++)
            {
                Check(receivers[i % legs].UnprotectRtp(wire[i], wire[i].Length, out _));
            }
        });

        Console.WriteLine($"profile {profile}");
        Console.WriteLine($"packets {packets}");
        Console.WriteLine($"legs {legs}");
        Console.WriteLine($"payload_bytes {payload}");
        Console.WriteLine($"protect_packets_per_s {packets / protectSeconds:F0}");
        Console.WriteLine($"protect_us_per_packet {protectSeconds * 1e6 / packets:F2}");
        Console.WriteLine($"protect_allocated_bytes_per_packet {(double)protectAllocated / packets:F2}");
        Console.WriteLine($"unprotect_packets_per_s {packets / unprotectSeconds:F0}");
        Console.WriteLine($"unprotect_us_per_packet {unprotectSeconds * 1e6 / packets:F2}");
        Console.WriteLine($"unprotect_allocated_bytes_per_packet {(double)unprotectAllocated / packets:F2}");
        foreach (var session in senders.Concat(receivers).Concat(preparers))
        {
            session.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>Packet i goes to leg i mod L with sequence number i div L; returns the leg.</summary>
    private static int WriteHeader(byte[] buffer, int i, int legs)
    {
        var leg = i % legs;
        var sequence = (ushort)(i / legs);
        buffer[0] = 0x80;
        buffer[2] = (byte)(sequence >> 8);
        buffer[3] = (byte)sequence;
        buffer[8] = (byte)(leg >> 8);
        buffer[9] = (byte)leg;
        return leg;
    }

    private static void Check(SrtpStatus status)
    {
        if (status != SrtpStatus.Ok)
        {
            throw new InvalidOperationException($"SRTP refused a packet of its own: {status}");
        }
    }

    private static (double Seconds, long Allocated) Measure(Action run)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        run();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (seconds, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }
}
