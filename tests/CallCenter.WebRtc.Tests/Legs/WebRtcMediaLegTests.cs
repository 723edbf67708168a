using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Legs;
using CallCenter.WebRtc.Srtp;
using CallCenter.WebRtc.Tests.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Legs;

/// <summary>A simulated browser against one <see cref="WebRtcMediaLeg"/> over real UDP on 127.0.0.1.</summary>
public sealed class WebRtcMediaLegTests
{
    private const int PacketsEachWay = 20;

    [Theory]
    [InlineData(DtlsSrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(DtlsSrtpProfile.AeadAes128Gcm)]
    public async Task Browser_NominatesHandshakesAndExchangesMedia_BothWaysIdentically(DtlsSrtpProfile profile)
    {
        await using var host = await LegTestHost.ConnectedAsync(profile);
        var leg = host.Leg;
        Assert.Equal(host.Browser.LocalEndPoint, leg.SelectedRemote);
        Assert.Equal(DtlsSrtpProfiles.ToSrtpProfile(profile), leg.Profile);
        Assert.Null(leg.Reason);

        var atEdge = new PacketCollector();
        var atEdgeRtcp = new PacketCollector();
        var atBrowser = new PacketCollector();
        var atBrowserRtcp = new PacketCollector();
        leg.RtpReceived += atEdge.Add;
        leg.RtcpReceived += atEdgeRtcp.Add;
        host.Browser.RtpReceived += atBrowser.Add;
        host.Browser.RtcpReceived += atBrowserRtcp.Add;

        var fromBrowser = Enumerable.Range(0, PacketsEachWay).Select(i => LegPackets.Rtp((ushort)(100 + i), 0xB0B0B0B0, fill: 1)).ToList();
        var fromEdge = Enumerable.Range(0, PacketsEachWay).Select(i => LegPackets.Rtp((ushort)(65530 + i), 0xEDEDEDED, fill: 2)).ToList();
        foreach (var packet in fromBrowser)
        {
            Assert.True(host.Browser.SendRtp(packet));
        }

        foreach (var packet in fromEdge)
        {
            Assert.True(leg.SendRtp(packet));
        }

        Assert.True(host.Browser.SendRtcp(LegPackets.ReceiverReport(0xB0B0B0B0)));
        Assert.True(leg.SendRtcp(LegPackets.ReceiverReport(0xEDEDEDED)));

        await atEdge.WaitForAsync(PacketsEachWay, "the browser's RTP at the edge");
        await atBrowser.WaitForAsync(PacketsEachWay, "the edge's RTP at the browser");
        await atEdgeRtcp.WaitForAsync(1, "the browser's RTCP at the edge");
        await atBrowserRtcp.WaitForAsync(1, "the edge's RTCP at the browser");

        // Loopback UDP keeps order in practice, but the assertion need not rely on it.
        Assert.Equal(fromBrowser.OrderBy(Sequence), atEdge.Packets.OrderBy(Sequence));
        Assert.Equal(fromEdge.OrderBy(Sequence), atBrowser.Packets.OrderBy(Sequence));
        Assert.Equal(LegPackets.ReceiverReport(0xB0B0B0B0), atEdgeRtcp.Packets.Single());
        Assert.Equal(LegPackets.ReceiverReport(0xEDEDEDED), atBrowserRtcp.Packets.Single());
        Assert.Equal(PacketsEachWay, leg.Counters.RtpReceived);
        Assert.Equal(1, leg.Counters.RtcpReceived);
        Assert.Equal(0, leg.Counters.Dropped);
        Assert.Equal(0, host.Browser.SrtpFailures);
    }

    [Fact]
    public async Task DatagramsFromAnotherAddress_AreDroppedAndCounted_MediaContinues()
    {
        await using var host = await LegTestHost.ConnectedAsync();
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var atEdge = new PacketCollector();
        host.Leg.RtpReceived += atEdge.Add;

        // A DTLS alert-looking record and an RTP-looking packet, both from an address ICE never selected.
        await stranger.SendToAsync(DtlsSrtpSessionTests.ValidLookingRecord(), host.EndPoint);
        await stranger.SendToAsync(LegPackets.Rtp(1, 0x51515151), host.EndPoint);
        await host.Drops.WaitForAsync(LegDropReason.UnselectedAddress, 2);

        Assert.True(host.Browser.SendRtp(LegPackets.Rtp(5, 0xB0B0B0B0)));
        await atEdge.WaitForAsync(1, "good RTP after the stranger's datagrams");
        Assert.Equal(WebRtcLegState.Connected, host.Leg.State);
        Assert.Equal(host.Browser.LocalEndPoint, host.Leg.SelectedRemote);
        Assert.Equal(2, host.Leg.Counters.Dropped);
        Assert.Equal(0, host.Leg.Dtls.Counters.Dropped);
    }

    [Fact]
    public async Task SrtpWithAWrongKey_IsDroppedAndCounted_GoodTrafficContinues()
    {
        await using var host = await LegTestHost.ConnectedAsync();
        var atEdge = new PacketCollector();
        host.Leg.RtpReceived += atEdge.Add;

        using var forger = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(14));
        var forged = new byte[1500];
        var plain = LegPackets.Rtp(7, 0xB0B0B0B0);
        plain.CopyTo(forged, 0);
        Assert.Equal(SrtpStatus.Ok, forger.ProtectRtp(forged, plain.Length, out var forgedLength));
        host.Browser.SendRaw(forged.AsSpan(0, forgedLength));
        await host.Drops.WaitForAsync(LegDropReason.SrtpFailure, 1);

        // The same sequence number with the right key still gets through: the forgery took no replay slot.
        Assert.True(host.Browser.SendRtp(plain));
        await atEdge.WaitForAsync(1, "good RTP after the forged packet");
        Assert.Equal(plain, atEdge.Packets.Single());
        Assert.Equal(1, host.Leg.Counters[LegDropReason.SrtpFailure]);
        Assert.Equal(WebRtcLegState.Connected, host.Leg.State);
    }

    [Fact]
    public async Task GarbageDatagrams_AreDroppedAndCounted_GoodTrafficContinues()
    {
        await using var host = await LegTestHost.ConnectedAsync();
        var atEdge = new PacketCollector();
        host.Leg.RtpReceived += atEdge.Add;

        host.Browser.SendRaw([100, 1, 2, 3]);            // no protocol of RFC 7983
        host.Browser.SendRaw([70, 0, 0, 4, 1, 2, 3, 4]); // a TURN channel message: we are no TURN server
        host.Browser.SendRaw([0, 1, 0]);                 // truncated STUN
        host.Browser.SendRaw([0x80, 0, 0]);              // too short for SRTP
        host.Browser.SendRaw([23, 0xFE, 0xFD, 0]);       // a truncated DTLS record header
        await host.Drops.WaitForAsync(LegDropReason.Unrecognized, 2);
        await host.Drops.WaitForAsync(LegDropReason.StunFailure, 1);
        await host.Drops.WaitForAsync(LegDropReason.SrtpFailure, 1);
        await host.Drops.WaitForAsync(LegDropReason.DtlsFailure, 1);

        Assert.True(host.Browser.SendRtp(LegPackets.Rtp(9, 0xB0B0B0B0)));
        await atEdge.WaitForAsync(1, "good RTP after the garbage");
        Assert.Equal(5, host.Leg.Counters.Dropped);
        Assert.Equal(WebRtcLegState.Connected, host.Leg.State);
    }

    [Fact]
    public async Task Close_EndsTheDtlsSessionAtTheBrowser_AndStopsMedia()
    {
        await using var host = await LegTestHost.ConnectedAsync();
        var states = new List<(WebRtcLegState, string?)>();
        host.Leg.StateChanged += (state, reason) => states.Add((state, reason));

        host.Leg.Close();

        Assert.Equal(DtlsSessionState.Closed, await Bounded.Within(host.Browser.Dtls!.Ended, "close_notify at the browser"));
        Assert.Equal(WebRtcLegState.Closed, host.Leg.State);
        Assert.Equal(DtlsSessionState.Closed, host.Leg.Dtls.State);
        Assert.Equal([(WebRtcLegState.Closed, "closed by the owner")], states);
        Assert.False(host.Leg.SendRtp(LegPackets.Rtp(1, 0xEDEDEDED)));
        Assert.Equal(1, host.Leg.Counters[LegDropReason.BeforeKeys]);
    }

    [Fact]
    public async Task BrowserWithTheWrongFingerprint_FailsTheLegWithAReason()
    {
        await using var host = LegTestHost.Start();
        var impostor = DtlsCertificate.CreateSelfSigned(new FakeTimeProvider());

        // The browser expects a certificate the edge does not have, so it refuses the edge's certificate.
        var browser = await Bounded.Within(host.Browser.ConnectAsync(host.EndPoint, host.EdgeIce, [impostor.Fingerprint]), "the browser's refused handshake");
        Assert.False(browser.Succeeded);
        Assert.Equal(DtlsFailureReason.FingerprintMismatch, browser.Failure);
        Assert.Equal(WebRtcLegState.Failed, await Bounded.Within(host.Leg.Settled, "the leg to fail"));
        Assert.StartsWith("DTLS ", host.Leg.Reason, StringComparison.Ordinal);
        Assert.False(host.Leg.SendRtp(LegPackets.Rtp(1, 0xEDEDEDED)));
    }

    [Fact]
    public void Datagrams_BeforeNominationOrKeys_AreDroppedAndCounted()
    {
        var time = new FakeTimeProvider();
        var edgeIce = IceCredentials.Generate(RandomNumberGenerator.Create());
        var sent = new List<(byte[] Datagram, IPEndPoint Destination)>();
        using var leg = new WebRtcMediaLeg(
            new WebRtcMediaLegOptions
            {
                LocalIce = edgeIce,
                LocalCertificate = DtlsCertificate.CreateSelfSigned(time),
                RemoteFingerprints = [DtlsCertificate.CreateSelfSigned(time).Fingerprint],
            },
            (datagram, destination) => sent.Add((datagram.ToArray(), destination)),
            time);
        var browser = new IPEndPoint(IPAddress.Loopback, 40000);
        Assert.Equal(WebRtcLegState.New, leg.State);

        // Nothing selected yet: DTLS and SRTP are from an unselected address.
        leg.ReceiveDatagram(DtlsSrtpSessionTests.ValidLookingRecord(), browser);
        leg.ReceiveDatagram(LegPackets.Rtp(1, 1), browser);
        Assert.Equal(2, leg.Counters[LegDropReason.UnselectedAddress]);

        // A check with the wrong password is answered 401 and counted.
        leg.ReceiveDatagram(Tests.Ice.BrowserChecks.Check(edgeIce, useCandidate: true, password: "wrongpasswordwrongpassword"), browser);
        Assert.Equal(1, leg.Counters[LegDropReason.StunFailure]);
        Assert.Equal(WebRtcLegState.New, leg.State);

        leg.ReceiveDatagram(Tests.Ice.BrowserChecks.Check(edgeIce, useCandidate: true), browser);
        Assert.Equal(WebRtcLegState.Checking, leg.State);
        Assert.Equal(browser, leg.SelectedRemote);
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(browser, s.Destination));

        // Selected, but no handshake yet: SRTP has no keys to meet.
        leg.ReceiveDatagram(LegPackets.Rtp(2, 1), browser);
        Assert.Equal(1, leg.Counters[LegDropReason.BeforeKeys]);
        Assert.False(leg.SendRtcp(LegPackets.ReceiverReport(1)));
        Assert.Equal(2, leg.Counters[LegDropReason.BeforeKeys]);

        leg.Close();
        leg.ReceiveDatagram(LegPackets.Rtp(3, 1), browser);
        Assert.Equal(1, leg.Counters[LegDropReason.LegEnded]);
        Assert.Equal(WebRtcLegState.Closed, leg.State);
    }

    [Fact]
    public async Task ConsentLapse_FailsTheLegWithAReason_AndEndsTheHandshake()
    {
        var time = new FakeTimeProvider();
        var edgeIce = IceCredentials.Generate(RandomNumberGenerator.Create());
        using var leg = new WebRtcMediaLeg(
            new WebRtcMediaLegOptions
            {
                LocalIce = edgeIce,
                LocalCertificate = DtlsCertificate.CreateSelfSigned(time),
                RemoteFingerprints = [DtlsCertificate.CreateSelfSigned(time).Fingerprint],
            },
            (_, _) => { },
            time);
        var browser = new IPEndPoint(IPAddress.Loopback, 40000);
        leg.ReceiveDatagram(Tests.Ice.BrowserChecks.Check(edgeIce, useCandidate: true), browser);
        Assert.Equal(WebRtcLegState.Checking, leg.State);

        // No check from the browser for the consent timeout (RFC 7675): the leg fails and the DTLS handshake ends.
        time.Advance(IceLiteAgent.ConsentTimeout);

        Assert.Equal(WebRtcLegState.Failed, await Bounded.Within(leg.Settled, "the leg to fail"));
        Assert.Contains("consent", leg.Reason, StringComparison.Ordinal);
        Assert.Equal(DtlsSessionState.Failed, await Bounded.Within(leg.Dtls.Ended, "the handshake to end"));
    }

    private static int Sequence(byte[] packet) => (packet[2] << 8) | packet[3];
}
