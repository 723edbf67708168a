using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Srtp;
using CallCenter.WebRtc.Tests.Legs;

namespace CallCenter.WebRtc.Tests.Dtls;

/// <summary>
/// The two halves meet: the keys a DTLS-SRTP handshake exports protect RTP on one side that the other side's SRTP
/// session unprotects, in both directions and for each profile we negotiate.
/// </summary>
public sealed class DtlsKeysDriveSrtpTests
{
    [Theory]
    [InlineData(DtlsSrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(DtlsSrtpProfile.AeadAes128Gcm)]
    public async Task ExportedKeys_ProtectOnOneSide_UnprotectOnTheOther_BothWays(DtlsSrtpProfile profile)
    {
        await using var pair = new DtlsPair(server: o => o with { Profiles = [profile] }, client: o => o with { Profiles = [profile] });
        var (server, client) = await pair.HandshakeAsync();
        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);

        AssertCarries(Sender(server.Keys!), Receiver(client.Keys!), ssrc: 0x11111111);
        AssertCarries(Sender(client.Keys!), Receiver(server.Keys!), ssrc: 0x22222222);
    }

    private static SrtpSession Sender(SrtpKeys keys) =>
        new(DtlsSrtpProfiles.ToSrtpProfile(keys.Profile), keys.LocalMasterKey, keys.LocalMasterSalt);

    private static SrtpSession Receiver(SrtpKeys keys) =>
        new(DtlsSrtpProfiles.ToSrtpProfile(keys.Profile), keys.RemoteMasterKey, keys.RemoteMasterSalt);

    private static void AssertCarries(SrtpSession sender, SrtpSession receiver, uint ssrc)
    {
        var plain = LegPackets.Rtp(sequence: 7, ssrc);
        var buffer = new byte[plain.Length + 64];
        plain.CopyTo(buffer, 0);

        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, plain.Length, out var protectedLength));
        Assert.NotEqual(plain, buffer[..plain.Length]);
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer, protectedLength, out var plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }
}
