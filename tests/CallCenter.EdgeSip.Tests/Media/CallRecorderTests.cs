using System.Buffers.Binary;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class CallRecorderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"recording-{Guid.NewGuid():N}.wav");
    private MediaClock _clock = null!;
    private RawPhone _callerPhone = null!;
    private RawPhone _agentPhone = null!;
    private RtpEndpoint _callerLeg = null!;
    private RtpEndpoint _agentLeg = null!;
    private MediaBridge _bridge = null!;
    private int _frame;

    public Task InitializeAsync()
    {
        _clock = new MediaClock(_time);
        _callerPhone = new RawPhone(ssrc: 1);
        _agentPhone = new RawPhone(ssrc: 2);
        _callerLeg = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        _agentLeg = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        _agentLeg.Codec = AudioCodec.Pcma;
        _callerLeg.SetRemote(_callerPhone.EndPoint);
        _agentLeg.SetRemote(_agentPhone.EndPoint);
        _bridge = new MediaBridge(_callerLeg, _agentLeg);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _bridge.Dispose();
        await _callerLeg.DisposeAsync();
        await _agentLeg.DisposeAsync();
        await _callerPhone.DisposeAsync();
        await _agentPhone.DisposeAsync();
        await _clock.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Recording_HasTheCallerOnTheLeft_AndTheAgentOnTheRight()
    {
        await using var recorder = new CallRecorder(_path, _clock);
        _bridge.Attach(recorder);

        await TalkAsync(25);
        await recorder.StopAsync();

        (short[] left, short[] right) = ReadStereo(_path);
        Assert.Equal(25 * 160, left.Length);
        short[] callerSaid = MediaTestKit.Concat(Enumerable.Range(0, 25).Select(i => MediaTestKit.RoundTrip(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, i))));
        short[] agentSaid = MediaTestKit.Concat(Enumerable.Range(0, 25).Select(i => MediaTestKit.RoundTrip(AudioCodec.Pcma, MediaTestKit.ToneFrame(2000, i))));
        Assert.Equal(callerSaid, left);
        Assert.Equal(agentSaid, right);
        Assert.True(Goertzel.IsPresent(left, 1000, minimumRelativePower: 0.9));
        Assert.True(Goertzel.IsPresent(right, 2000, minimumRelativePower: 0.9));
        Assert.Equal(TimeSpan.FromMilliseconds(500), recorder.Duration);
    }

    [Fact]
    public async Task Pause_WritesSilenceForThePausedSpan_KeepingTheTimeline()
    {
        await using var recorder = new CallRecorder(_path, _clock);
        _bridge.Attach(recorder);

        await TalkAsync(5);
        recorder.Pause();
        Assert.True(recorder.IsPaused);
        await TalkAsync(6);
        recorder.Resume();
        await TalkAsync(4);
        await recorder.StopAsync();

        (short[] left, short[] right) = ReadStereo(_path);
        Assert.Equal(15 * 160, left.Length);
        foreach (short[] channel in new[] { left, right })
        {
            Assert.All(channel[(5 * 160)..(11 * 160)], sample => Assert.Equal(0, sample));
            Assert.True(Goertzel.Energy(channel.AsSpan(0, 5 * 160)) > 0);
            Assert.True(Goertzel.Energy(channel.AsSpan(11 * 160)) > 0);
        }

        Assert.True(Goertzel.IsPresent(left.AsSpan(11 * 160), 1000, minimumRelativePower: 0.9));
        Assert.True(Goertzel.IsPresent(right.AsSpan(11 * 160), 2000, minimumRelativePower: 0.9));
    }

    [Fact]
    public async Task Gaps_AreSilence_OnTheClocksTimeline()
    {
        await using var recorder = new CallRecorder(_path, _clock);
        _bridge.Attach(recorder);

        _time.AdvanceFrames(10);
        await TalkAsync(1);
        _time.AdvanceFrames(2);
        await recorder.StopAsync();

        (short[] left, short[] right) = ReadStereo(_path);
        Assert.Equal(13 * 160, left.Length);
        Assert.All(left[..(10 * 160)], sample => Assert.Equal(0, sample));
        Assert.All(right[(11 * 160)..], sample => Assert.Equal(0, sample));
        Assert.True(Goertzel.IsPresent(left.AsSpan(10 * 160, 160), 1000, minimumRelativePower: 0.9));
    }

    [Fact]
    public async Task SkippedClockFrames_AreWrittenAsSilence()
    {
        await using var recorder = new CallRecorder(_path, _clock);
        IMediaClockListener listener = recorder;

        listener.OnTick(100);
        recorder.Write(CallRecorder.CallerChannel, MediaTestKit.ToneFrame(1000, 0));
        listener.OnTick(104);
        await recorder.StopAsync();

        (short[] left, _) = ReadStereo(_path);
        Assert.Equal(5 * 160, left.Length);
        Assert.All(left[..(4 * 160)], sample => Assert.Equal(0, sample));
        Assert.Equal(MediaTestKit.ToneFrame(1000, 0), left[(4 * 160)..]);
    }

    [Fact]
    public async Task Stop_IsIdempotent_AndTheFileIsAValidWavHeaderFirst()
    {
        var recorder = new CallRecorder(_path, _clock);
        _time.AdvanceFrames(3);

        await recorder.StopAsync();
        await recorder.StopAsync();
        await recorder.DisposeAsync();
        _time.AdvanceFrames(3);

        byte[] file = await File.ReadAllBytesAsync(_path);
        Assert.Equal(44 + (3 * 640), file.Length);
        Assert.Equal((uint)(36 + (3 * 640)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)));
    }

    /// <summary>
    /// Each frame: both phones speak (1 kHz caller, 2 kHz agent), the relayed packets are awaited at the far phones
    /// (the bridge records before it relays), then the clock ticks once so the recorder writes the frame.
    /// </summary>
    private async Task TalkAsync(int frames)
    {
        for (int i = 0; i < frames; i++, _frame++)
        {
            _callerPhone.SendAudio(AudioCodec.Pcmu, MediaTestKit.ToneFrame(1000, _frame), _callerLeg.LocalEndPoint);
            _agentPhone.SendAudio(AudioCodec.Pcma, MediaTestKit.ToneFrame(2000, _frame), _agentLeg.LocalEndPoint);
            await _agentPhone.WaitForPacketsAsync(_frame + 1);
            await _callerPhone.WaitForPacketsAsync(_frame + 1);
            _time.AdvanceFrames(1);
        }
    }

    private static (short[] Left, short[] Right) ReadStereo(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(file, 0, 4));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(22)));
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(34)));
        int dataSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(40));
        Assert.Equal(file.Length - 44, dataSize);
        int frames = dataSize / 4;
        var left = new short[frames];
        var right = new short[frames];
        for (int i = 0; i < frames; i++)
        {
            left[i] = BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(44 + (4 * i)));
            right[i] = BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(46 + (4 * i)));
        }

        return (left, right);
    }
}
