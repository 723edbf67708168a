using System.Buffers.Binary;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class RtpEndpointTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private MediaClock _clock = null!;

    public Task InitializeAsync()
    {
        _clock = new MediaClock(_time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _clock.DisposeAsync();

    [Theory]
    [InlineData(AudioCodec.Pcmu)]
    [InlineData(AudioCodec.Pcma)]
    public async Task PlayedPrompt_ArrivesAsG711Frames_OnePerTick(AudioCodec codec)
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.Codec = codec;
        endpoint.SetRemote(phone.EndPoint);
        short[] prompt = ToneGenerator.Sine(1000, 5 * MediaClock.SamplesPerFrame);

        endpoint.Play(MediaSources.Clip(prompt));
        _time.AdvanceFrames(7);
        IReadOnlyList<RtpPacket> packets = await phone.WaitForPacketsAsync(5);

        Assert.Equal(5, endpoint.PacketsSent);
        Assert.All(packets, packet => Assert.Equal((int)codec, packet.PayloadType));
        Assert.All(packets, packet => Assert.Equal(endpoint.Ssrc, packet.Ssrc));
        Assert.All(packets, packet => Assert.Equal(MediaClock.SamplesPerFrame, packet.Payload.Length));
        Assert.Equal([true, false, false, false, false], packets.Select(packet => packet.Marker));
        for (int i = 1; i < packets.Count; i++)
        {
            Assert.Equal((ushort)(packets[0].SequenceNumber + i), packets[i].SequenceNumber);
            Assert.Equal(packets[0].Timestamp + (uint)(i * MediaClock.SamplesPerFrame), packets[i].Timestamp);
        }

        short[] received = MediaTestKit.Concat(packets.Select(packet => MediaTestKit.Decode(packet.PayloadType, packet.Payload)));
        Assert.Equal(MediaTestKit.RoundTrip(codec, prompt), received);
        Assert.True(Goertzel.IsPresent(received, 1000, minimumRelativePower: 0.9));
    }

    [Fact]
    public async Task PlayAsync_CompletesWhenTheSourceEnds()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);

        Task playing = endpoint.PlayAsync(MediaSources.Silence(TimeSpan.FromMilliseconds(60)));
        _time.AdvanceFrames(3);
        Assert.False(playing.IsCompleted);
        _time.AdvanceFrames(1);

        await playing.Within();
        Assert.Equal(3, endpoint.PacketsSent);
        Assert.False(endpoint.IsPlaying);
    }

    [Fact]
    public async Task PlayAsync_CompletesWhenReplaced_AndTheNewSourcePlays()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);

        Task first = endpoint.PlayAsync(MediaSources.Tone(1000, TimeSpan.FromSeconds(10)));
        _time.AdvanceFrames(2);
        endpoint.Play(MediaSources.Tone(2000, TimeSpan.FromSeconds(10)));
        await first.Within();
        _time.AdvanceFrames(2);

        IReadOnlyList<RtpPacket> packets = await phone.WaitForPacketsAsync(4);
        Assert.True(Goertzel.IsPresent(MediaTestKit.Decode(0, packets[1].Payload), 1000));
        Assert.True(Goertzel.IsPresent(MediaTestKit.Decode(0, packets[2].Payload), 2000));
        Assert.True(packets[2].Marker);
    }

    [Fact]
    public async Task PlayAsync_Cancelled_StopsSendingAndCancelsTheTask()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);
        using var cancellation = new CancellationTokenSource();

        Task playing = endpoint.PlayAsync(MediaSources.Loop([100, 200]), cancellation.Token);
        _time.AdvanceFrames(2);
        await cancellation.CancelAsync();
        _time.AdvanceFrames(3);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => playing.Within());
        Assert.Equal(2, endpoint.PacketsSent);
    }

    [Fact]
    public async Task NothingPlaying_OrMuted_SendsNothing()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);

        _time.AdvanceFrames(3);
        endpoint.Play(null);
        _time.AdvanceFrames(3);
        endpoint.Muted = true;
        endpoint.Play(MediaSources.Tone(1000, TimeSpan.FromSeconds(1)));
        _time.AdvanceFrames(3);
        Assert.Equal(0, endpoint.PacketsSent);

        endpoint.Muted = false;
        _time.AdvanceFrames(1);
        Assert.Equal(1, endpoint.PacketsSent);
    }

    [Fact]
    public async Task SendDtmf_GoesOutAsRfc4733_StartUpdatesAndThreeEndPackets()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);
        endpoint.TelephoneEventPayloadType = 96;

        endpoint.SendDtmf('#', TimeSpan.FromMilliseconds(100));
        _time.AdvanceFrames(6);
        IReadOnlyList<RtpPacket> packets = await phone.WaitForPacketsAsync(7);

        Assert.All(packets, packet => Assert.Equal(96, packet.PayloadType));
        Assert.All(packets, packet => Assert.Equal(packets[0].Timestamp, packet.Timestamp));
        Assert.Equal([true, false, false, false, false, false, false], packets.Select(packet => packet.Marker));
        for (int i = 1; i < packets.Count; i++)
        {
            Assert.Equal((ushort)(packets[0].SequenceNumber + i), packets[i].SequenceNumber);
        }

        TelephoneEventPayload[] events = packets.Select(packet =>
        {
            Assert.True(TelephoneEventPayload.TryParse(packet.Payload, out TelephoneEventPayload payload));
            return payload;
        }).ToArray();
        Assert.All(events, payload => Assert.Equal('#', payload.Digit));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], events.Select(payload => (int)payload.Duration));
        Assert.Equal([false, false, false, false, true, true, true], events.Select(payload => payload.End));
    }

    [Fact]
    public async Task SendDtmf_IsReceivedOnceAsADigit_ByAnotherEndpoint()
    {
        await using var sender = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        await using var receiver = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        sender.SetRemote(receiver.LocalEndPoint);
        receiver.SetRemote(sender.LocalEndPoint);
        var listener = new EndpointListener(receiver);

        sender.Play(MediaSources.Loop(ToneGenerator.Sine(440, 800)));
        sender.SendDtmf('5', TimeSpan.FromMilliseconds(100));
        sender.SendDtmf('5', TimeSpan.FromMilliseconds(60));
        sender.SendDtmf('D', TimeSpan.FromMilliseconds(40));
        _time.AdvanceFrames(25);
        await listener.WaitForDigitAsync('D');

        // Same socket pair, in order: everything sent before 'D' has been handled.
        Assert.Equal("55D", listener.Digits);
    }

    [Fact]
    public async Task DtmfReceived_IgnoresRetransmittedUpdatesAndEndPackets()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);
        var listener = new EndpointListener(endpoint);

        IReadOnlyList<RtpPacket> seven = phone.SendDigit('7', endpoint.LocalEndPoint);
        foreach (RtpPacket packet in seven.Skip(2))
        {
            // Retransmitted updates and end packets, as a lossy path or a redundant sender would give.
            phone.Send(packet, endpoint.LocalEndPoint);
        }

        phone.SendDigit('8', endpoint.LocalEndPoint);
        phone.SendDigit('7', endpoint.LocalEndPoint);
        phone.SendDigit('*', endpoint.LocalEndPoint);
        await listener.WaitForDigitAsync('*');

        Assert.Equal("787*", listener.Digits);
    }

    [Fact]
    public async Task AudioReceived_DecodesPcmuAndPcma_AndCountsPackets()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);
        var listener = new EndpointListener(endpoint);
        short[] first = MediaTestKit.ToneFrame(1000, 0);
        short[] second = MediaTestKit.ToneFrame(1000, 1);

        phone.SendAudio(AudioCodec.Pcmu, first, endpoint.LocalEndPoint);
        phone.SendAudio(AudioCodec.Pcma, second, endpoint.LocalEndPoint);
        await listener.WaitForSamplesAsync(2 * MediaClock.SamplesPerFrame);

        Assert.Equal([.. MediaTestKit.RoundTrip(AudioCodec.Pcmu, first), .. MediaTestKit.RoundTrip(AudioCodec.Pcma, second)], listener.Samples);
        Assert.Equal(2, endpoint.PacketsReceived);
        Assert.Equal(phone.Ssrc, endpoint.Statistics.Ssrc);
    }

    [Fact]
    public async Task SymmetricRtp_LatchesOntoTheSourceAddress_AndIgnoresOtherSenders()
    {
        await using var announced = new RawPhone();
        await using var actual = new RawPhone(ssrc: 1111);
        await using var intruder = new RawPhone(ssrc: 2222);
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(announced.EndPoint);
        var listener = new EndpointListener(endpoint);

        actual.SendAudio(AudioCodec.Pcmu, new short[160], endpoint.LocalEndPoint);
        await listener.WaitForSamplesAsync(160);
        intruder.SendAudio(AudioCodec.Pcmu, new short[160], endpoint.LocalEndPoint);
        intruder.SendDigit('1', endpoint.LocalEndPoint);
        actual.SendDigit('2', endpoint.LocalEndPoint);
        actual.SendAudio(AudioCodec.Pcmu, new short[160], endpoint.LocalEndPoint);
        await listener.WaitForSamplesAsync(320);

        // Loopback keeps the order of what was sent: the intruder's packets were handled (and dropped) first.
        Assert.Equal(actual.EndPoint, endpoint.RemoteEndPoint);
        Assert.Equal("2", listener.Digits);
        Assert.Equal(1 + 7 + 1, endpoint.PacketsReceived);

        endpoint.Play(MediaSources.Silence(TimeSpan.FromMilliseconds(20)));
        _time.AdvanceFrames(1);
        await actual.WaitForPacketsAsync(1);
        Assert.Empty(announced.Packets);
    }

    [Fact]
    public async Task NonRtpDatagrams_AreIgnored()
    {
        await using var phone = new RawPhone();
        await using var endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        endpoint.SetRemote(phone.EndPoint);
        var listener = new EndpointListener(endpoint);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);

        var rtcp = new byte[8];
        rtcp[0] = 0x80;
        rtcp[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(rtcp.AsSpan(2), 1);
        socket.SendTo(rtcp, endpoint.LocalEndPoint);
        socket.SendTo("not rtp at all"u8.ToArray(), endpoint.LocalEndPoint);
        phone.SendAudio(AudioCodec.Pcmu, new short[160], endpoint.LocalEndPoint);
        await listener.WaitForSamplesAsync(160);

        Assert.Equal(1, endpoint.PacketsReceived);
    }

    [Fact]
    public async Task Dispose_ReturnsThePortToThePool()
    {
        int before = MediaTestKit.Pool.InUse;
        RtpEndpoint endpoint = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        Assert.Equal(before + 1, MediaTestKit.Pool.InUse);
        Assert.Equal(0, endpoint.LocalEndPoint.Port % 2);
        Task playing = endpoint.PlayAsync(MediaSources.Silence(TimeSpan.FromSeconds(1)));

        await endpoint.DisposeAsync();

        Assert.Equal(before, MediaTestKit.Pool.InUse);
        await playing.Within();
    }
}
