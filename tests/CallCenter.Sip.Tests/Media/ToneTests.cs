using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class ToneTests
{
    [Fact]
    public void Sine_1000Hz_HasExpectedPeakAndPeriod()
    {
        short[] samples = ToneGenerator.Sine(1000, 16, amplitude: 10000);

        // 8 samples per period at 8 kHz: 0, +peak at n=2, 0 at n=4, -peak at n=6.
        Assert.Equal(0, samples[0]);
        Assert.Equal(10000, samples[2]);
        Assert.Equal(0, samples[4]);
        Assert.Equal(-10000, samples[6]);
        Assert.Equal(samples[..8], samples[8..]);
    }

    [Fact]
    public void Goertzel_PureTone_IsPresentAtItsFrequencyOnly()
    {
        short[] tone = ToneGenerator.Sine(1000, 400);

        Assert.InRange(Goertzel.RelativePower(tone, 1000), 0.95, 1.05);
        Assert.True(Goertzel.IsPresent(tone, 1000));
        Assert.False(Goertzel.IsPresent(tone, 1200));
        Assert.False(Goertzel.IsPresent(tone, 440));
    }

    [Fact]
    public void Goertzel_Silence_IsNotPresent()
    {
        Assert.False(Goertzel.IsPresent(new short[160], 1000));
        Assert.Equal(0, Goertzel.RelativePower(new short[160], 1000));
    }

    [Fact]
    public void Goertzel_ToneThroughMuLaw_IsStillPresent()
    {
        short[] decoded = G711.MuLawDecode(G711.MuLawEncode(ToneGenerator.Sine(440, 320, amplitude: 3000)));

        Assert.True(Goertzel.IsPresent(decoded, 440, minimumRelativePower: 0.9));
        Assert.False(Goertzel.IsPresent(decoded, 1004));
    }

    [Theory]
    [InlineData('0')]
    [InlineData('1')]
    [InlineData('2')]
    [InlineData('3')]
    [InlineData('4')]
    [InlineData('5')]
    [InlineData('6')]
    [InlineData('7')]
    [InlineData('8')]
    [InlineData('9')]
    [InlineData('*')]
    [InlineData('#')]
    [InlineData('A')]
    [InlineData('B')]
    [InlineData('C')]
    [InlineData('D')]
    public void DetectFrame_GeneratedDtmf_GivesTheKey(char digit)
    {
        var detector = new DtmfToneDetector();

        Assert.Equal(digit, detector.DetectFrame(ToneGenerator.Dtmf(digit, 205)));
        Assert.Equal(digit, detector.DetectFrame(G711.ALawDecode(G711.ALawEncode(ToneGenerator.Dtmf(digit, 205, amplitude: 2000)))));
    }

    [Fact]
    public void DetectFrame_SilenceSingleToneAndNoise_GiveNothing()
    {
        var detector = new DtmfToneDetector();
        var random = new Random(7);
        short[] noise = Enumerable.Range(0, 205).Select(_ => (short)random.Next(-8000, 8000)).ToArray();

        Assert.Null(detector.DetectFrame(new short[205]));
        Assert.Null(detector.DetectFrame(ToneGenerator.Sine(697, 205)));
        Assert.Null(detector.DetectFrame(ToneGenerator.Sine(1000, 205)));
        Assert.Null(detector.DetectFrame(noise));
    }

    [Fact]
    public void DetectFrame_DtmfWithModerateNoise_GivesTheKey()
    {
        var random = new Random(11);
        short[] tone = ToneGenerator.Dtmf('8', 205, amplitude: 6000);
        short[] noisy = tone.Select(sample => (short)(sample + random.Next(-600, 600))).ToArray();

        Assert.Equal('8', new DtmfToneDetector().DetectFrame(noisy));
    }

    [Fact]
    public void DetectDigits_SequenceWithGaps_ReportsEachPressOnce()
    {
        var samples = new List<short>();
        foreach (char digit in "1959#")
        {
            samples.AddRange(ToneGenerator.Dtmf(digit, 800)); // 100 ms tone
            samples.AddRange(new short[800]); // 100 ms pause
        }

        Assert.Equal("1959#", new DtmfToneDetector().DetectDigits(samples.ToArray()));
    }

    [Fact]
    public void Process_SingleFrameBlip_IsNotConfirmed()
    {
        var detector = new DtmfToneDetector();

        Assert.Null(detector.Process(ToneGenerator.Dtmf('3', 205)));
        Assert.Null(detector.Process(new short[205]));
        Assert.Null(detector.Process(ToneGenerator.Dtmf('3', 205)));
        Assert.Equal('3', detector.Process(ToneGenerator.Dtmf('3', 205)));
        Assert.Null(detector.Process(ToneGenerator.Dtmf('3', 205)));
    }
}
