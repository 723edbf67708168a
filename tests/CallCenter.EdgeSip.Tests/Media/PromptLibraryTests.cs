using System.Buffers.Binary;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class PromptLibraryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prompts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Get_8kHzPcm16_ReturnsTheSamples_AndCachesThem()
    {
        short[] tone = ToneGenerator.Sine(440, 4000);
        Wav.WritePcm16File(Path.Combine(_directory, "welcome.wav"), tone);
        var library = new PromptLibrary(_directory);

        short[] first = library.Get("welcome");
        short[] second = library.Get("welcome");

        Assert.Equal(tone, first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Get_MuLawFile_DecodesToPcm16()
    {
        short[] tone = ToneGenerator.Sine(440, 800);
        byte[] codes = G711.MuLawEncode(tone);
        File.WriteAllBytes(Path.Combine(_directory, "ulaw.wav"), BuildWav(formatTag: 7, channels: 1, sampleRate: 8000, bits: 8, codes));

        short[] samples = new PromptLibrary(_directory).Get("ulaw");

        Assert.Equal(G711.MuLawDecode(codes), samples);
    }

    [Fact]
    public void Get_22050HzFile_IsResampledTo8kHz_KeepingTheTonesFrequency()
    {
        short[] tone = ToneGenerator.Sine(1000, 22050, amplitude: 10000, sampleRate: 22050);
        Wav.WritePcm16File(Path.Combine(_directory, "tone.wav"), tone, sampleRate: 22050);

        short[] samples = new PromptLibrary(_directory).Get("tone");

        Assert.InRange(samples.Length, 7999, 8000);
        ReadOnlySpan<short> middle = samples.AsSpan(2000, 1000);
        Assert.True(Goertzel.RelativePower(middle, 1000) > 0.95, $"1 kHz holds {Goertzel.RelativePower(middle, 1000):P1} of the energy");
        double rms = Math.Sqrt(Goertzel.Energy(middle) / middle.Length);
        Assert.InRange(rms, 10000 / Math.Sqrt(2) * 0.9, 10000 / Math.Sqrt(2) * 1.1);
    }

    [Fact]
    public void Get_Downsampling_FiltersWhatIsAboveTheNewNyquistFrequency()
    {
        // Without a low-pass, 6 kHz sampled at 8 kHz folds back as a full-level 2 kHz tone.
        short[] tone = ToneGenerator.Sine(6000, 22050, amplitude: 10000, sampleRate: 22050);
        Wav.WritePcm16File(Path.Combine(_directory, "high.wav"), tone, sampleRate: 22050);

        short[] samples = new PromptLibrary(_directory).Get("high");

        ReadOnlySpan<short> middle = samples.AsSpan(2000, 4000);
        double rms = Math.Sqrt(Goertzel.Energy(middle) / middle.Length);
        Assert.True(rms < 10000 / Math.Sqrt(2) * 0.05, $"rms {rms:F0} left of a 7071 rms tone");
    }

    [Fact]
    public void Get_6kHzFile_IsUpsampled()
    {
        short[] tone = ToneGenerator.Sine(500, 6000, sampleRate: 6000);
        Wav.WritePcm16File(Path.Combine(_directory, "low.wav"), tone, sampleRate: 6000);

        short[] samples = new PromptLibrary(_directory).Get("low");

        Assert.Equal(8000, samples.Length);
        Assert.True(Goertzel.IsPresent(samples.AsSpan(1000, 1000), 500, minimumRelativePower: 0.9));
    }

    [Fact]
    public void Get_MissingFile_ThrowsFileNotFound_NamingThePath()
    {
        var library = new PromptLibrary(_directory);
        string path = Path.Combine(_directory, "nowhere.wav");

        var exception = Assert.Throws<FileNotFoundException>(() => library.Get("nowhere"));

        Assert.Equal(path, exception.FileName);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.False(library.Contains("nowhere"));
    }

    [Fact]
    public void Get_NotAWavFile_ThrowsInvalidData_NamingThePathAndTheProblem()
    {
        string path = Path.Combine(_directory, "broken.wav");
        File.WriteAllText(path, "this is not audio");
        var library = new PromptLibrary(_directory);

        var exception = Assert.Throws<InvalidDataException>(() => library.Get("broken"));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("RIFF", exception.Message, StringComparison.Ordinal);
        Assert.IsType<WavFormatException>(exception.InnerException);
        Assert.True(library.Contains("broken"));
    }

    [Fact]
    public void Get_StereoFile_ThrowsInvalidData_SayingWhy()
    {
        string path = Path.Combine(_directory, "stereo.wav");
        File.WriteAllBytes(path, BuildWav(formatTag: 1, channels: 2, sampleRate: 8000, bits: 16, new byte[16]));

        var exception = Assert.Throws<InvalidDataException>(() => new PromptLibrary(_directory).Get("stereo"));

        Assert.Contains("channels", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_FixedAfterAFailure_IsLoaded()
    {
        var library = new PromptLibrary(_directory);
        Assert.Throws<FileNotFoundException>(() => library.Get("late"));

        Wav.WritePcm16File(Path.Combine(_directory, "late.wav"), [1, 2, 3]);

        Assert.Equal([1, 2, 3], library.Get("late"));
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("sub/prompt")]
    [InlineData("..")]
    public void Get_NameWithADirectory_IsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => new PromptLibrary(_directory).Get(name));
        Assert.False(new PromptLibrary(_directory).Contains(name));
    }

    private static byte[] BuildWav(ushort formatTag, ushort channels, int sampleRate, ushort bits, byte[] data)
    {
        var file = new byte[44 + data.Length];
        Span<byte> span = file;
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + data.Length));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], bits);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)data.Length);
        data.CopyTo(span[44..]);
        return file;
    }
}
