using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class MediaSourcesTests
{
    private static List<short[]> ReadAll(IMediaSource source, int limit = 1000)
    {
        var frames = new List<short[]>();
        var frame = new short[MediaClock.SamplesPerFrame];
        while (frames.Count < limit && source.ReadFrame(frame))
        {
            frames.Add([.. frame]);
        }

        return frames;
    }

    [Fact]
    public void Clip_PlaysOnce_PaddingTheLastFrameWithSilence()
    {
        short[] clip = Enumerable.Range(1, 400).Select(i => (short)i).ToArray();

        List<short[]> frames = ReadAll(MediaSources.Clip(clip));

        Assert.Equal(3, frames.Count);
        Assert.Equal(clip, MediaTestKit.Concat(frames)[..400]);
        Assert.All(frames[2][80..], sample => Assert.Equal(0, sample));
    }

    [Fact]
    public void Clip_Empty_EndsAtOnce()
    {
        Assert.Empty(ReadAll(MediaSources.Clip([])));
    }

    [Fact]
    public void Sequence_JoinsClipsWithoutGaps_ThenEnds()
    {
        short[] first = Enumerable.Repeat((short)1, 100).ToArray();
        short[] second = Enumerable.Repeat((short)2, 100).ToArray();

        List<short[]> frames = ReadAll(MediaSources.Sequence([first, [], second]));

        Assert.Equal(2, frames.Count);
        Assert.Equal([.. first, .. second, .. new short[120]], MediaTestKit.Concat(frames));
    }

    [Fact]
    public void Loop_WrapsAroundForever()
    {
        short[] clip = Enumerable.Range(0, 100).Select(i => (short)i).ToArray();

        List<short[]> frames = ReadAll(MediaSources.Loop(clip), limit: 10);

        Assert.Equal(10, frames.Count);
        short[] all = MediaTestKit.Concat(frames);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(i % 100, all[i]);
        }
    }

    [Fact]
    public void Silence_LastsTheDurationRoundedUpToFrames()
    {
        List<short[]> frames = ReadAll(MediaSources.Silence(TimeSpan.FromMilliseconds(50)));

        Assert.Equal(3, frames.Count);
        Assert.All(MediaTestKit.Concat(frames), sample => Assert.Equal(0, sample));
    }

    [Fact]
    public void Tone_IsAPhaseContinuousSineOfTheFrequency()
    {
        List<short[]> frames = ReadAll(MediaSources.Tone(1000, TimeSpan.FromMilliseconds(200), amplitude: 8000));

        Assert.Equal(10, frames.Count);
        short[] all = MediaTestKit.Concat(frames);
        short[] expected = ToneGenerator.Sine(1000, all.Length, 8000);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.InRange(all[i] - expected[i], -2, 2);
        }

        Assert.True(Goertzel.IsPresent(all, 1000, minimumRelativePower: 0.95));
    }
}
