using CallCenter.WebRtc.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Dtls;

public sealed class DtlsSrtpSessionTests
{
    [Fact]
    public async Task Handshake_InMemory_BothSidesExportMirroredKeys()
    {
        await using var pair = new DtlsPair();

        var (server, client) = await pair.HandshakeAsync();

        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);
        AssertMirrored(server.Keys!, client.Keys!, DtlsSrtpProfile.Aes128CmHmacSha1_80);
        Assert.Equal(pair.ClientCertificate.Fingerprint, server.RemoteFingerprint);
        Assert.Equal(pair.ServerCertificate.Fingerprint, client.RemoteFingerprint);
        Assert.Equal(DtlsSessionState.Connected, pair.Server.State);
        Assert.Equal(DtlsSessionState.Connected, pair.Client.State);
    }

    [Theory]
    [InlineData(new[] { DtlsSrtpProfile.AeadAes128Gcm, DtlsSrtpProfile.Aes128CmHmacSha1_80 }, DtlsSrtpProfile.AeadAes128Gcm)]
    [InlineData(new[] { DtlsSrtpProfile.Aes128CmHmacSha1_80, DtlsSrtpProfile.AeadAes128Gcm }, DtlsSrtpProfile.Aes128CmHmacSha1_80)]
    public async Task Handshake_BothProfilesSupported_ServerTakesTheClientsFirst(DtlsSrtpProfile[] clientOrder, DtlsSrtpProfile expected)
    {
        await using var pair = new DtlsPair(
            server: o => o with { Profiles = [DtlsSrtpProfile.Aes128CmHmacSha1_80, DtlsSrtpProfile.AeadAes128Gcm] },
            client: o => o with { Profiles = clientOrder });

        var (server, client) = await pair.HandshakeAsync();

        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);
        AssertMirrored(server.Keys!, client.Keys!, expected);
    }

    [Fact]
    public async Task Handshake_ClientSeesWrongServerFingerprint_FailsWithMismatch()
    {
        var stranger = DtlsCertificate.CreateSelfSigned(TimeProvider.System);
        await using var pair = new DtlsPair(client: o => o with { RemoteFingerprints = [stranger.Fingerprint] });

        var (server, client) = await pair.HandshakeAsync();

        Assert.Equal(DtlsFailureReason.FingerprintMismatch, client.Failure);
        Assert.Contains("matches no fingerprint", client.Detail);
        Assert.Null(client.Keys);
        Assert.False(server.Succeeded);
        Assert.Equal(DtlsFailureReason.AlertReceived, server.Failure);
        Assert.Equal(DtlsSessionState.Failed, pair.Client.State);
    }

    [Fact]
    public async Task Handshake_ServerSeesWrongClientFingerprint_FailsWithMismatch()
    {
        var stranger = DtlsCertificate.CreateSelfSigned(TimeProvider.System);
        await using var pair = new DtlsPair(server: o => o with { RemoteFingerprints = [stranger.Fingerprint] });

        var (server, client) = await pair.HandshakeAsync();

        Assert.Equal(DtlsFailureReason.FingerprintMismatch, server.Failure);
        Assert.Null(server.Keys);
        Assert.False(client.Succeeded);
    }

    [Fact]
    public async Task Handshake_ClientWithoutUseSrtp_ServerRefusesIt()
    {
        await using var pair = new DtlsPair(client: o => o with { Profiles = [] });

        var (server, client) = await pair.HandshakeAsync();

        Assert.Equal(DtlsFailureReason.NoSrtpProfile, server.Failure);
        Assert.Contains("no use_srtp", server.Detail);
        Assert.Equal(DtlsFailureReason.AlertReceived, client.Failure);
        Assert.Contains("handshake_failure", client.Detail);
    }

    [Fact]
    public async Task Handshake_NoProfileInCommon_ServerRefusesIt()
    {
        await using var pair = new DtlsPair(client: o => o with { Profiles = [DtlsSrtpProfile.AeadAes128Gcm] });

        var (server, _) = await pair.HandshakeAsync();

        Assert.Equal(DtlsFailureReason.NoSrtpProfile, server.Failure);
        Assert.Contains("0x0007", server.Detail);
    }

    [Fact]
    public async Task Handshake_FirstFlightOfEachSideLost_RetransmissionCompletesIt()
    {
        await using var pair = new DtlsPair(configure: p =>
        {
            p.ToServer.Drop = (index, _) => index == 0;
            p.ToClient.Drop = (index, _) => index == 0;
        });

        var (server, client) = await pair.HandshakeAsync();

        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);
        AssertMirrored(server.Keys!, client.Keys!, DtlsSrtpProfile.Aes128CmHmacSha1_80);
        Assert.Equal(1, pair.ToServer.Dropped);
        Assert.Equal(1, pair.ToClient.Dropped);
    }

    [Fact]
    public async Task Handshake_ServersFinalFlightLost_ServerRetransmitsItAfterCompleting()
    {
        const byte changeCipherSpec = 20;
        var lost = 0;
        await using var pair = new DtlsPair(configure: p =>
            p.ToClient.Drop = (_, datagram) => datagram[0] == changeCipherSpec && Interlocked.Exchange(ref lost, 1) == 0);

        var (server, client) = await pair.HandshakeAsync();

        Assert.True(server.Succeeded, server.Detail);
        Assert.True(client.Succeeded, client.Detail);
        AssertMirrored(server.Keys!, client.Keys!, DtlsSrtpProfile.Aes128CmHmacSha1_80);
        Assert.Equal(1, pair.ToClient.Dropped);
    }

    [Fact]
    public async Task Handshake_NoPeer_TimesOutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var certificate = DtlsCertificate.CreateSelfSigned(time);
        using var server = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Server, LocalCertificate = certificate, RemoteFingerprints = [certificate.Fingerprint] },
            new LinkDirection(),
            time);

        var handshake = server.HandshakeAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await Bounded.Within(handshake, "the timed-out handshake");

        Assert.Equal(DtlsFailureReason.TimedOut, result.Failure);
        Assert.Equal(DtlsSessionState.Failed, server.State);
        Assert.Equal(DtlsDatagramVerdict.SessionEnded, server.DeliverDatagram(ValidLookingRecord()));
    }

    [Fact]
    public async Task Handshake_Cancelled_ReportsCancelled()
    {
        var time = new FakeTimeProvider();
        var certificate = DtlsCertificate.CreateSelfSigned(time);
        using var client = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Client, LocalCertificate = certificate, RemoteFingerprints = [certificate.Fingerprint] },
            new LinkDirection(),
            time);
        using var cancellation = new CancellationTokenSource();

        var handshake = client.HandshakeAsync(cancellation.Token);
        await cancellation.CancelAsync();
        var result = await Bounded.Within(handshake, "the cancelled handshake");

        Assert.Equal(DtlsFailureReason.Cancelled, result.Failure);
    }

    [Fact]
    public async Task Handshake_SenderThrows_ReportsTransportError()
    {
        var time = new FakeTimeProvider();
        var certificate = DtlsCertificate.CreateSelfSigned(time);
        using var client = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Client, LocalCertificate = certificate, RemoteFingerprints = [certificate.Fingerprint] },
            new ThrowingSender(),
            time);

        var result = await Bounded.Within(client.HandshakeAsync(), "the handshake with a broken sender");

        Assert.Equal(DtlsFailureReason.TransportError, result.Failure);
        Assert.Contains("network unreachable", result.Detail);
    }

    [Fact]
    public async Task Close_AfterHandshake_PeerSeesCloseNotify()
    {
        await using var pair = new DtlsPair();
        var (server, client) = await pair.HandshakeAsync();
        Assert.True(server.Succeeded && client.Succeeded);

        pair.Client.Close();
        var serverEnd = await Bounded.Within(pair.Server.Ended, "the server to see close_notify");

        Assert.Equal(DtlsSessionState.Closed, serverEnd);
        Assert.Equal(DtlsSessionState.Closed, await pair.Client.Ended);
    }

    [Fact]
    public async Task Close_BeforeHandshake_EndsTheSessionAndRefusesAHandshake()
    {
        await using var pair = new DtlsPair();

        pair.Server.Close();

        Assert.Equal(DtlsSessionState.Closed, await pair.Server.Ended);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pair.Server.HandshakeAsync());
    }

    [Fact]
    public void DeliverDatagram_Garbage_IsCountedByReason()
    {
        var time = new FakeTimeProvider();
        var certificate = DtlsCertificate.CreateSelfSigned(time);
        using var server = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Server, LocalCertificate = certificate, RemoteFingerprints = [certificate.Fingerprint] },
            new LinkDirection(),
            time);

        Assert.Equal(DtlsDatagramVerdict.TruncatedHeader, server.DeliverDatagram([22, 0xFE, 0xFD]));
        Assert.Equal(DtlsDatagramVerdict.NotDtls, server.DeliverDatagram(new byte[20]));
        var truncated = ValidLookingRecord();
        Assert.Equal(DtlsDatagramVerdict.TruncatedRecord, server.DeliverDatagram(truncated.AsSpan(0, truncated.Length - 1)));
        byte[] shortEncrypted = [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4];
        Assert.Equal(DtlsDatagramVerdict.ShortCiphertext, server.DeliverDatagram(shortEncrypted));
        Assert.Equal(DtlsDatagramVerdict.UnsupportedVersion, server.DeliverDatagram([22, 3, 3, .. ValidLookingRecord()[3..]]));
        Assert.Equal(DtlsDatagramVerdict.UnsupportedContentType, server.DeliverDatagram([24, .. ValidLookingRecord()[1..]]));
        Assert.Equal(DtlsDatagramVerdict.TooLarge, server.DeliverDatagram(ValidLookingRecord(bodyLength: 1600)));
        Assert.Equal(DtlsDatagramVerdict.Accepted, server.DeliverDatagram(ValidLookingRecord()));

        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.TruncatedHeader]);
        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.NotDtls]);
        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.TruncatedRecord]);
        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.Accepted]);
        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.ShortCiphertext]);
        Assert.Equal(7, server.Counters.Dropped);
    }

    [Fact]
    public void DeliverDatagram_BeyondTheInboxCapacity_IsDroppedAsInboxFull()
    {
        var time = new FakeTimeProvider();
        var certificate = DtlsCertificate.CreateSelfSigned(time);
        using var server = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Server, LocalCertificate = certificate, RemoteFingerprints = [certificate.Fingerprint], InboxCapacity = 4 },
            new LinkDirection(),
            time);

        var verdicts = Enumerable.Range(0, 5).Select(_ => server.DeliverDatagram(ValidLookingRecord())).ToList();

        Assert.Equal([.. Enumerable.Repeat(DtlsDatagramVerdict.Accepted, 4), DtlsDatagramVerdict.InboxFull], verdicts);
        Assert.Equal(1, server.Counters[DtlsDatagramVerdict.InboxFull]);
    }

    internal static byte[] ValidLookingRecord(byte contentType = 22, int bodyLength = 4) =>
        [contentType, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, (byte)(bodyLength >> 8), (byte)bodyLength, .. new byte[bodyLength]];

    private static void AssertMirrored(SrtpKeys server, SrtpKeys client, DtlsSrtpProfile profile)
    {
        Assert.Equal(profile, server.Profile);
        Assert.Equal(profile, client.Profile);
        Assert.Equal(16, server.LocalMasterKey.Length);
        Assert.Equal(DtlsSrtpProfiles.MasterSaltLength(profile), server.LocalMasterSalt.Length);
        Assert.Equal(client.LocalMasterKey, server.RemoteMasterKey);
        Assert.Equal(client.LocalMasterSalt, server.RemoteMasterSalt);
        Assert.Equal(server.LocalMasterKey, client.RemoteMasterKey);
        Assert.Equal(server.LocalMasterSalt, client.RemoteMasterSalt);
        Assert.NotEqual(server.LocalMasterKey, server.RemoteMasterKey);
    }

    private sealed class ThrowingSender : IDtlsDatagramSender
    {
        public void SendDatagram(ReadOnlySpan<byte> datagram) => throw new IOException("network unreachable");
    }
}
