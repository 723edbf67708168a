using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Media;

/// <summary>caller phone ⇄ caller leg ⇄ bridge ⇄ agent leg ⇄ agent phone, with raw sockets as phones.</summary>
public sealed class MediaBridgeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private MediaClock _clock = null!;
    private RawPhone _callerPhone = null!;
    private RawPhone _agentPhone = null!;
    private RtpEndpoint _callerLeg = null!;
    private RtpEndpoint _agentLeg = null!;

    public Task InitializeAsync()
    {
        _clock = new MediaClock(_time);
        _callerPhone = new RawPhone(ssrc: 0xCA11E4);
        _agentPhone = new RawPhone(ssrc: 0xA6E47);
        _callerLeg = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        _agentLeg = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        _callerLeg.SetRemote(_callerPhone.EndPoint);
        _agentLeg.SetRemote(_agentPhone.EndPoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _callerLeg.DisposeAsync();
        await _agentLeg.DisposeAsync();
        await _callerPhone.DisposeAsync();
        await _agentPhone.DisposeAsync();
        await _clock.DisposeAsync();
    }

    [Theory]
    [InlineData(AudioCodec.Pcmu, AudioCodec.Pcmu)]
    [InlineData(AudioCodec.Pcmu, AudioCodec.Pcma)]
    [InlineData(AudioCodec.Pcma, AudioCodec.Pcmu)]
    [InlineData(AudioCodec.Pcma, AudioCodec.Pcma)]
    public async Task Bridge_Relays1kHzCallerToAgent_And2kHzAgentToCaller(AudioCodec callerCodec, AudioCodec agentCodec)
    {
        _callerLeg.Codec = callerCodec;
        _agentLeg.Codec = agentCodec;
        using var bridge = new MediaBridge(_callerLeg, _agentLeg);
        var callerLeg = new EndpointListener(_callerLeg);
        var agentLeg = new EndpointListener(_agentLeg);

        for (int i = 0; i < 10; i++)
        {
            _callerPhone.SendAudio(callerCodec, MediaTestKit.ToneFrame(1000, i), _callerLeg.LocalEndPoint, marker: i == 0);
            _agentPhone.SendAudio(agentCodec, MediaTestKit.ToneFrame(2000, i), _agentLeg.LocalEndPoint, marker: i == 0);
        }

        IReadOnlyList<RtpPacket> atAgent = await _agentPhone.WaitForPacketsAsync(10);
        IReadOnlyList<RtpPacket> atCaller = await _callerPhone.WaitForPacketsAsync(10);
        await callerLeg.WaitForHandledAsync(10);
        await agentLeg.WaitForHandledAsync(10);

        AssertRestamped(atAgent, _agentLeg, agentCodec);
        AssertRestamped(atCaller, _callerLeg, callerCodec);
        short[] heardByAgent = MediaTestKit.Concat(atAgent.Select(packet => MediaTestKit.Decode(packet.PayloadType, packet.Payload)));
        short[] heardByCaller = MediaTestKit.Concat(atCaller.Select(packet => MediaTestKit.Decode(packet.PayloadType, packet.Payload)));
        Assert.True(Goertzel.IsPresent(heardByAgent, 1000, minimumRelativePower: 0.9));
        Assert.True(Goertzel.RelativePower(heardByAgent, 2000) < 0.01);
        Assert.True(Goertzel.IsPresent(heardByCaller, 2000, minimumRelativePower: 0.9));
        Assert.True(Goertzel.RelativePower(heardByCaller, 1000) < 0.01);
        Assert.Equal(20, bridge.RelayedPackets);
    }

    [Fact]
    public async Task Bridge_KeepsTheSendersTimestampSpacing_AndPassesDtmfOnAsEvents()
    {
        _agentLeg.TelephoneEventPayloadType = 96;
        var callerDigits = new EndpointListener(_callerLeg);
        using var bridge = new MediaBridge(_callerLeg, _agentLeg);

        _callerPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, 0), _callerLeg.LocalEndPoint);
        IReadOnlyList<RtpPacket> digit = _callerPhone.SendDigit('9', _callerLeg.LocalEndPoint);
        _callerPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, 1), _callerLeg.LocalEndPoint);
        IReadOnlyList<RtpPacket> atAgent = await _agentPhone.WaitForPacketsAsync(9);
        await callerDigits.WaitForDigitAsync('9');

        Assert.Equal("9", callerDigits.Digits);
        RtpPacket[] events = atAgent.Skip(1).Take(7).ToArray();
        Assert.All(events, packet => Assert.Equal(96, packet.PayloadType));
        Assert.Equal(digit.Select(packet => Convert.ToHexString(packet.Payload)), events.Select(packet => Convert.ToHexString(packet.Payload)));
        Assert.True(events[0].Marker);
        // Sender spacing kept: the event starts 160 after the first frame, and audio resumes 800 + 320 after it.
        Assert.Equal(atAgent[0].Timestamp + 160, events[0].Timestamp);
        Assert.Equal(events[0].Timestamp + 800 + 320, atAgent[8].Timestamp);
        Assert.Equal(0, atAgent[8].PayloadType);
    }

    [Fact]
    public async Task Bridge_DtmfFromTheCaller_IsReceivedOnceByAnAgentEndpoint()
    {
        await using var agentDevice = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        _agentLeg.SetRemote(agentDevice.LocalEndPoint);
        agentDevice.SetRemote(_agentLeg.LocalEndPoint);
        var agentHears = new EndpointListener(agentDevice);
        using var bridge = new MediaBridge(_callerLeg, _agentLeg);

        _callerPhone.SendDigit('4', _callerLeg.LocalEndPoint);
        _callerPhone.SendDigit('2', _callerLeg.LocalEndPoint);
        _callerPhone.SendDigit('#', _callerLeg.LocalEndPoint);
        await agentHears.WaitForDigitAsync('#');

        Assert.Equal("42#", agentHears.Digits);
    }

    [Fact]
    public async Task Bridge_StopsWhatTheEndpointsWerePlaying()
    {
        _callerLeg.Play(MediaSources.Tone(440, TimeSpan.FromSeconds(10)));
        Task agentPrompt = _agentLeg.PlayAsync(MediaSources.Tone(440, TimeSpan.FromSeconds(10)));

        using var bridge = new MediaBridge(_callerLeg, _agentLeg);
        _time.AdvanceFrames(3);

        await agentPrompt.Within();
        Assert.Equal(0, _callerLeg.PacketsSent + _agentLeg.PacketsSent);
    }

    [Fact]
    public async Task Hold_PlaysMusicToTheCaller_SilenceToTheAgent_AndRelaysNothing_UntilResume()
    {
        using var bridge = new MediaBridge(_callerLeg, _agentLeg);
        var callerLeg = new EndpointListener(_callerLeg);
        var agentLeg = new EndpointListener(_agentLeg);

        bridge.Hold(MediaSources.Loop(ToneGenerator.Sine(440, 8000)));
        _time.AdvanceFrames(5);
        for (int i = 0; i < 5; i++)
        {
            _callerPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, i), _callerLeg.LocalEndPoint);
            _agentPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(2000, i), _agentLeg.LocalEndPoint);
        }

        _callerPhone.SendDigit('0', _callerLeg.LocalEndPoint);
        await callerLeg.WaitForHandledAsync(5 + 7);
        await agentLeg.WaitForHandledAsync(5);
        IReadOnlyList<RtpPacket> music = await _callerPhone.WaitForPacketsAsync(5);
        IReadOnlyList<RtpPacket> silence = await _agentPhone.WaitForPacketsAsync(5);

        Assert.True(bridge.IsHeld);
        Assert.Equal("0", callerLeg.Digits);
        Assert.True(Goertzel.IsPresent(MediaTestKit.Concat(music.Select(packet => MediaTestKit.Decode(0, packet.Payload))), 440, minimumRelativePower: 0.9));
        Assert.All(MediaTestKit.Concat(silence.Select(packet => MediaTestKit.Decode(0, packet.Payload))), sample => Assert.Equal(0, sample));
        Assert.Equal(5, _agentLeg.PacketsSent);
        Assert.Equal(5, _callerLeg.PacketsSent);
        Assert.Equal(0, bridge.RelayedPackets);

        bridge.Resume();
        _time.AdvanceFrames(3);
        Assert.Equal(5, _agentLeg.PacketsSent);
        _callerPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, 5), _callerLeg.LocalEndPoint);
        IReadOnlyList<RtpPacket> afterResume = await _agentPhone.WaitForPacketsAsync(6);
        await callerLeg.WaitForHandledAsync(5 + 7 + 1);

        Assert.True(Goertzel.IsPresent(MediaTestKit.Decode(0, afterResume[5].Payload), 1000, minimumRelativePower: 0.9));
        Assert.True(afterResume[5].Marker);
        Assert.True(RtpSequence.IsTimestampNewer(afterResume[5].Timestamp, afterResume[4].Timestamp));
        Assert.Equal((ushort)(afterResume[4].SequenceNumber + 1), afterResume[5].SequenceNumber);
        Assert.Equal(1, bridge.RelayedPackets);
    }

    [Fact]
    public async Task Bridge_RefusesAnEndpointAlreadyBridged_AndDisposeStopsRelaying()
    {
        await using var third = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        var bridge = new MediaBridge(_callerLeg, _agentLeg);

        Assert.Throws<InvalidOperationException>(() => new MediaBridge(third, _agentLeg));
        bridge.Dispose();
        using var again = new MediaBridge(third, _agentLeg);
        Assert.Same(again, _agentLeg.Bridge);
        Assert.Null(_callerLeg.Bridge);
    }

    private static void AssertRestamped(IReadOnlyList<RtpPacket> packets, RtpEndpoint leg, AudioCodec codec)
    {
        Assert.All(packets, packet => Assert.Equal(leg.Ssrc, packet.Ssrc));
        Assert.All(packets, packet => Assert.Equal((int)codec, packet.PayloadType));
        Assert.True(packets[0].Marker);
        for (int i = 1; i < packets.Count; i++)
        {
            Assert.Equal((ushort)(packets[0].SequenceNumber + i), packets[i].SequenceNumber);
            Assert.Equal(packets[0].Timestamp + (uint)(160 * i), packets[i].Timestamp);
        }
    }
}
