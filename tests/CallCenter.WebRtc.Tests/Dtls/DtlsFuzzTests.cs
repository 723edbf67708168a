using CallCenter.WebRtc.Dtls;

namespace CallCenter.WebRtc.Tests.Dtls;

/// <summary>Random and mutated input to the record checks, the SDP parsers and a server mid-handshake (fixed seeds).</summary>
public sealed class DtlsFuzzTests
{
    [Fact]
    public void Inspect_RandomAndMutatedDatagrams_NeverThrowsAndAcceptsOnlyWellFramedRecords()
    {
        var random = new Random(5764);
        byte[] valid = [.. DtlsSrtpSessionTests.ValidLookingRecord(22, 40), .. DtlsSrtpSessionTests.ValidLookingRecord(20, 1)];
        for (var i = 0; i < 20_000; i++)
        {
            var datagram = i % 2 == 0 ? RandomBytes(random, random.Next(0, 1700)) : Mutate(random, valid);

            var verdict = DtlsRecordInspector.Inspect(datagram);

            if (verdict == DtlsDatagramVerdict.Accepted)
            {
                Assert.True(IsWellFramed(datagram), $"accepted a badly framed datagram: {Convert.ToHexString(datagram)}");
            }
        }

        Assert.Equal(DtlsDatagramVerdict.Accepted, DtlsRecordInspector.Inspect(valid));
    }

    [Fact]
    public void SdpParsers_RandomAndMutatedAttributes_NeverThrow()
    {
        var random = new Random(8122);
        var valid = DtlsCertificate.CreateSelfSigned(TimeProvider.System).Fingerprint.ToSdpAttribute();
        const string alphabet = "a=fingerprint:sha-256 0123456789ABCDEFabcdef:; \t";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = valid.ToCharArray();
            var text = i % 2 == 0
                ? new string([.. Enumerable.Range(0, random.Next(0, 120)).Select(_ => alphabet[random.Next(alphabet.Length)])])
                : MutateText(random, chars);

            if (DtlsFingerprint.TryParse(text, out var parsed, out _))
            {
                Assert.True(DtlsFingerprint.TryParse(parsed!.ToSdpAttribute(), out var again, out _));
                Assert.Equal(parsed, again);
            }

            SdpSetup.TryParse(text, out _);
        }
    }

    [Fact]
    public async Task Handshake_UnauthenticatedGarbageMidHandshake_IsDroppedAndTheHandshakeCompletes()
    {
        var random = new Random(6347);
        var injected = 0;
        await using var pair = new DtlsPair(configure: p => p.ToServer.BeforeDelivery = server =>
        {
            // A client flight is up to five datagrams in a burst: 8 before each keeps the server's inbox (64) from
            // overflowing, so the real datagrams get through and the garbage reaches the record layer.
            for (var i = 0; i < 8; i++)
            {
                server.DeliverDatagram(Garbage(random, allowEpochZero: false));
                injected++;
            }
        });

        var (server, client) = await pair.HandshakeAsync();

        // Random bytes fail our framing checks; records of epoch 1 fail BouncyCastle's epoch or MAC checks.
        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);
        Assert.Equal(client.Keys!.LocalMasterKey, server.Keys!.RemoteMasterKey);
        Assert.True(injected >= 8 * 6);
        Assert.True(pair.Server.Counters.Dropped > 0);
        Assert.True(pair.Server.Counters[DtlsDatagramVerdict.Accepted] > 0);
    }

    [Fact]
    public async Task Handshake_ArbitraryGarbageMidHandshake_EndsWithKeysOrAReasonAndNeverThrows()
    {
        var random = new Random(7983);
        var deliveries = 0;
        var injectionDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pair = new DtlsPair(configure: p => p.ToServer.BeforeDelivery = server =>
        {
            if (++deliveries > 3)
            {
                return;
            }

            for (var i = 0; i < 8; i++)
            {
                server.DeliverDatagram(Garbage(random, allowEpochZero: true));
            }

            if (deliveries == 3)
            {
                injectionDone.TrySetResult();
            }
        });
        var serverHandshake = pair.Server.HandshakeAsync();
        var clientHandshake = pair.Client.HandshakeAsync();

        // Epoch-0 records carry no MAC (RFC 6347 §4.1), so forged ones can stall or break a handshake: that is why
        // the caller admits only the ICE-selected address. Once the garbage stops, the handshake timeout bounds it.
        await Bounded.Within(injectionDone.Task, "three client datagrams with garbage before them");
        pair.Time.Advance(TimeSpan.FromSeconds(10));
        var server = await Bounded.Within(serverHandshake, "the server's handshake");
        var client = await Bounded.Within(clientHandshake, "the client's handshake");

        foreach (var result in new[] { server, client })
        {
            Assert.True(result.Succeeded || (result.Failure != DtlsFailureReason.None && result.Detail is not null), result.ToString());
        }
    }

    private static byte[] Garbage(Random random, bool allowEpochZero)
    {
        if (random.Next(2) == 0)
        {
            return RandomBytes(random, random.Next(0, 300));
        }

        // A plausible record header (content type, DTLS 1.2, an epoch) with a random body.
        var body = RandomBytes(random, random.Next(0, 200));
        var epoch = allowEpochZero ? random.Next(2) : 1;
        byte[] header = [(byte)random.Next(20, 24), 0xFE, 0xFD, 0, (byte)epoch, .. RandomBytes(random, 6), (byte)(body.Length >> 8), (byte)body.Length];
        return [.. header, .. body];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var copy = (byte[])valid.Clone();
        switch (random.Next(3))
        {
            case 0:
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            case 1:
                return copy[..random.Next(copy.Length)];
            default:
                return [.. copy, .. RandomBytes(random, random.Next(1, 20))];
        }
    }

    private static string MutateText(Random random, char[] chars)
    {
        switch (random.Next(3))
        {
            case 0:
                chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
                return new string(chars);
            case 1:
                return new string(chars[..random.Next(chars.Length)]);
            default:
                return new string(chars) + (char)random.Next(32, 127);
        }
    }

    private static bool IsWellFramed(ReadOnlySpan<byte> datagram)
    {
        while (!datagram.IsEmpty)
        {
            if (datagram.Length < 13 || datagram[0] is < 20 or > 23 || datagram[1] != 0xFE)
            {
                return false;
            }

            var length = (datagram[11] << 8) | datagram[12];
            if (13 + length > datagram.Length)
            {
                return false;
            }

            datagram = datagram[(13 + length)..];
        }

        return true;
    }
}
