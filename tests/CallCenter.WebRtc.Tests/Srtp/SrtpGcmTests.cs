using CallCenter.WebRtc.Srtp;

namespace CallCenter.WebRtc.Tests.Srtp;

/// <summary>
/// AEAD_AES_128_GCM: the packet vectors of RFC 7714 sections 16.1.1 and 17.1 to 17.3 (stated with the session key and
/// salt, so the session is built from those), and the behaviour the AES-CM profile is held to.
/// </summary>
public sealed class SrtpGcmTests
{
    private const string Rtp = "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private const string Srtp = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
    private const string Rtcp = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    private const string Srtcp = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4";
    private const string SrtcpAuthenticatedOnly = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790125f62b3000005d4";
    private const int SrtcpIndex = 0x5d4;

    [Fact]
    public void ProtectRtp_Rfc7714Section16_1_1_GivesTheVector()
    {
        using var session = VectorSession();
        var buffer = new byte[Srtp.Length / 2];
        var plain = Convert.FromHexString(Rtp);
        plain.CopyTo(buffer, 0);

        Assert.Equal(SrtpStatus.Ok, session.ProtectRtp(buffer, plain.Length, out var length));
        Assert.Equal(Srtp, Convert.ToHexString(buffer, 0, length), ignoreCase: true);
    }

    [Fact]
    public void UnprotectRtp_Rfc7714Section16_1_1_GivesThePlaintext()
    {
        using var session = VectorSession();
        var buffer = Convert.FromHexString(Srtp);

        Assert.Equal(SrtpStatus.Ok, session.UnprotectRtp(buffer, buffer.Length, out var length));
        Assert.Equal(Rtp, Convert.ToHexString(buffer, 0, length), ignoreCase: true);
    }

    [Fact]
    public void ProtectRtcp_Rfc7714Section17_1_AtIndex0x5d4_GivesTheVector()
    {
        using var session = VectorSession();
        var plain = Convert.FromHexString(Rtcp);
        var buffer = new byte[plain.Length + 20];
        for (var i = 0; i < SrtcpIndex; i++)
        {
            plain.CopyTo(buffer, 0);
            Assert.Equal(SrtpStatus.Ok, session.ProtectRtcp(buffer, plain.Length, out _));
        }

        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, session.ProtectRtcp(buffer, plain.Length, out var length));
        Assert.Equal(Srtcp, Convert.ToHexString(buffer, 0, length), ignoreCase: true);
    }

    [Theory]
    [InlineData(Srtcp)]
    [InlineData(SrtcpAuthenticatedOnly)]
    public void UnprotectRtcp_Rfc7714Section17_EncryptedAndAuthenticatedOnly_GiveThePlaintext(string vector)
    {
        using var session = VectorSession();
        var buffer = Convert.FromHexString(vector);

        Assert.Equal(SrtpStatus.Ok, session.UnprotectRtcp(buffer, buffer.Length, out var length));
        Assert.Equal(Rtcp, Convert.ToHexString(buffer, 0, length), ignoreCase: true);
    }

    [Fact]
    public void UnprotectRtp_Rfc7714VectorWithAnyByteChanged_IsRefused()
    {
        var vector = Convert.FromHexString(Srtp);
        for (var at = 1; at < vector.Length; at++)
        {
            using var session = VectorSession();
            var buffer = vector.ToArray();
            buffer[at] ^= 0x80;

            Assert.Equal(SrtpStatus.BadTag, session.UnprotectRtp(buffer, buffer.Length, out _));
        }
    }

    [Fact]
    public void UnprotectRtcp_Rfc7714VectorWithAnyByteChanged_IsRefused()
    {
        var vector = Convert.FromHexString(Srtcp);
        for (var at = 1; at < vector.Length; at++)
        {
            using var session = VectorSession();
            var buffer = vector.ToArray();
            buffer[at] ^= 0x01;

            Assert.Equal(SrtpStatus.BadTag, session.UnprotectRtcp(buffer, buffer.Length, out _));
        }
    }

    [Fact]
    public void RoundTrip_FromAMasterKey_ManySizesAcrossTheWrapWithReplayRefused()
    {
        var masterKey = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var masterSalt = Enumerable.Range(100, 12).Select(i => (byte)i).ToArray();
        using var sender = new SrtpSession(SrtpProfile.AeadAes128Gcm, masterKey, masterSalt);
        using var receiver = new SrtpSession(SrtpProfile.AeadAes128Gcm, masterKey, masterSalt);

        for (var i = 0; i < 400; i++)
        {
            var sequence = (ushort)(65_400 + i);
            var packet = SrtpTestPackets.Rtp(sequence, 0xABCD, i % 300, i % 3, i % 5 == 0 ? 1 : -1, room: 16);
            var plain = packet.ToArray();
            var length = SrtpTestPackets.RtpLength(packet);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, length, out var protectedLength));
            Assert.Equal(length + 16, protectedLength);
            var copy = packet[..protectedLength];
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, protectedLength, out var plainLength));
            Assert.Equal(plain[..length], packet[..plainLength]);
            Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtp(copy, copy.Length, out _));

            var rtcp = SrtpTestPackets.Rtcp(0xABCD, 4 * (i % 40));
            var rtcpPlain = rtcp[..(rtcp.Length - 20)];
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, rtcpPlain.Length, out var rtcpLength));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(rtcp, rtcpLength, out var rtcpPlainLength));
            Assert.Equal(rtcpPlain, rtcp[..rtcpPlainLength]);
        }
    }

    [Fact]
    public void Unprotect_RandomAndMutatedGcmPackets_NeverThrowsAndNeverAccepts()
    {
        var random = new Random(7714);
        using var sender = VectorSession();
        using var receiver = VectorSession();
        for (var round = 0; round < 3000; round++)
        {
            var packet = SrtpTestPackets.Rtp((ushort)round, 0x5501a0b2, random.Next(0, 100), room: 16);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, SrtpTestPackets.RtpLength(packet), out var length));
            var mutated = packet.ToArray();
            mutated[random.Next(length)] ^= (byte)(1 << random.Next(8));
            var noise = new byte[random.Next(0, 120)];
            random.NextBytes(noise);

            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(mutated, length, out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(mutated, random.Next(0, length), out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(noise.ToArray(), noise.Length, out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtcp(noise, noise.Length, out _));
        }
    }

    private static SrtpSession VectorSession()
    {
        var key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        var salt = Convert.FromHexString("517569642070726f2071756f");
        return new SrtpSession(SrtpProfile.AeadAes128Gcm, new SrtpSessionKeys(key, [], salt, key, [], salt));
    }
}
