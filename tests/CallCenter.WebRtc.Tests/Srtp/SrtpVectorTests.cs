using CallCenter.WebRtc.Srtp;

namespace CallCenter.WebRtc.Tests.Srtp;

/// <summary>RFC 3711 appendix B.2 and B.3, byte for byte, and libsrtp's packet-level known answers for the same master key.</summary>
public sealed class SrtpVectorTests
{
    [Fact]
    public void Derive_Rfc3711AppendixB3_GivesTheCipherKeySaltAndAuthKey()
    {
        var keys = SrtpKeyDerivation.Derive(SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);

        Assert.Equal(Convert.FromHexString("C61E7A93744F39EE10734AFE3FF7A087"), keys.RtpEncryptionKey);
        Assert.Equal(Convert.FromHexString("30CBBC08863D8C85D49DB34A9AE1"), keys.RtpSalt);
        Assert.Equal(Convert.FromHexString("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), keys.RtpAuthenticationKey);
    }

    [Fact]
    public void AesCounterMode_Rfc3711AppendixB3_AuthKeyStreamOf94BytesMatches()
    {
        // B.3 lists the auth-key PRF output for six input blocks (94 bytes), longer than the 20 bytes HMAC-SHA1 takes.
        var expected = Convert.FromHexString(
            "CEBE321F6FF7716B6FD4AB49AF256A15" +
            "6D38BAA48F0A0ACF3C34E2359E6CDBCE" +
            "E049646C43D9327AD175578EF7227098" +
            "6371C10C9A369AC2F94A8C5FBCDDDC25" +
            "6D6E919A48B610EF17C2041E47403576" +
            "6B68642C59BBFC2F34DB60DBDFB2");
        using var prf = new AesCounterMode(SrtpTestPackets.MasterKey);
        var output = new byte[expected.Length];

        prf.Apply(Convert.FromHexString("0EC675AD498AFEEAB6960B3AABE60000"), output);

        Assert.Equal(expected, output);
    }

    [Fact]
    public void AesCounterMode_Rfc3711AppendixB2_KeystreamSegmentMatchesAtBothEnds()
    {
        const int blocks = 65282;
        using var cipher = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[blocks * 16];

        cipher.Apply(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        string Block(int counter) => Convert.ToHexString(keystream, counter * 16, 16);
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4", Block(0x0000));
        Assert.Equal("D23513162B02D0F72A43A2FE4A5F97AB", Block(0x0001));
        Assert.Equal("41E95B3BB0A2E8DD477901E4FCA894C0", Block(0x0002));
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4", Block(0xFEFF));
        Assert.Equal("362B7C3C6773516318A077D7FC5073AE", Block(0xFF00));
        Assert.Equal("6A2CC3787889374FBEB4C81B17BA6C44", Block(0xFF01));
    }

    [Fact]
    public void ProtectRtp_LibsrtpKnownAnswer_GivesTheSameCiphertextAndTag()
    {
        using var session = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var plain = Convert.FromHexString("800f1234decafbadcafebabeabababababababababababababababab");
        var buffer = new byte[plain.Length + 10];
        plain.CopyTo(buffer, 0);

        var status = session.ProtectRtp(buffer, plain.Length, out var length);

        Assert.Equal(SrtpStatus.Ok, status);
        Assert.Equal("800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void UnprotectRtp_LibsrtpKnownAnswer_GivesThePlaintextBack()
    {
        using var session = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var buffer = Convert.FromHexString("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");

        var status = session.UnprotectRtp(buffer, buffer.Length, out var length);

        Assert.Equal(SrtpStatus.Ok, status);
        Assert.Equal("800F1234DECAFBADCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void ProtectRtcp_LibsrtpKnownAnswerAtIndex1_GivesTheSameCiphertextIndexAndTag()
    {
        using var session = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var plain = Convert.FromHexString("81c8000bcafebabeabababababababababababababababab");
        var buffer = new byte[plain.Length + 14];

        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, session.ProtectRtcp(buffer, plain.Length, out _)); // index 0
        plain.CopyTo(buffer, 0);
        var status = session.ProtectRtcp(buffer, plain.Length, out var length); // index 1, as the reference

        Assert.Equal(SrtpStatus.Ok, status);
        Assert.Equal("81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void UnprotectRtcp_LibsrtpKnownAnswer_GivesThePlaintextBack()
    {
        using var session = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var buffer = Convert.FromHexString("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");

        var status = session.UnprotectRtcp(buffer, buffer.Length, out var length);

        Assert.Equal(SrtpStatus.Ok, status);
        Assert.Equal("81C8000BCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void UnprotectRtp_LibsrtpKnownAnswerTruncated_IsRefusedAtEveryLength()
    {
        var full = Convert.FromHexString("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
        for (var length = 0; length < full.Length; length++)
        {
            using var session = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
            var buffer = full[..length];

            var status = session.UnprotectRtp(buffer, length, out _);

            Assert.NotEqual(SrtpStatus.Ok, status);
        }
    }

    [Fact]
    public void Split_Rfc5764KeyingMaterial_GivesEachSideItsWriteKeyAndSalt()
    {
        var exported = Enumerable.Range(0, SrtpKeyingMaterial.Length(SrtpProfile.AesCm128HmacSha1_80)).Select(i => (byte)i).ToArray();

        var (local, remote) = SrtpKeyingMaterial.Split(SrtpProfile.AesCm128HmacSha1_80, exported, localIsDtlsClient: true);
        var (serverLocal, serverRemote) = SrtpKeyingMaterial.Split(SrtpProfile.AesCm128HmacSha1_80, exported, localIsDtlsClient: false);

        Assert.Equal(exported[0..16], local.Key);
        Assert.Equal(exported[16..32], remote.Key);
        Assert.Equal(exported[32..46], local.Salt);
        Assert.Equal(exported[46..60], remote.Salt);
        Assert.Equal(remote.Key, serverLocal.Key);
        Assert.Equal(remote.Salt, serverLocal.Salt);
        Assert.Equal(local.Key, serverRemote.Key);
        Assert.Equal(local.Salt, serverRemote.Salt);
    }

    [Fact]
    public void Split_Rfc7714KeyingMaterial_Is56BytesWith12ByteSalts()
    {
        var exported = Enumerable.Range(0, 56).Select(i => (byte)i).ToArray();

        var (local, remote) = SrtpKeyingMaterial.Split(SrtpProfile.AeadAes128Gcm, exported, localIsDtlsClient: false);

        Assert.Equal(56, SrtpKeyingMaterial.Length(SrtpProfile.AeadAes128Gcm));
        Assert.Equal(exported[16..32], local.Key);
        Assert.Equal(exported[44..56], local.Salt);
        Assert.Equal(exported[0..16], remote.Key);
        Assert.Equal(exported[32..44], remote.Salt);
    }
}
