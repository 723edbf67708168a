using System.Buffers.Binary;
using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class WavTests
{
    [Fact]
    public void WritePcm16_ThenRead_RoundTrips()
    {
        short[] samples = ToneGenerator.Sine(440, 8000, amplitude: 20000);

        byte[] file = Wav.WritePcm16(samples);
        WavAudio audio = Wav.Read(file);

        Assert.Equal(44 + 16000, file.Length);
        Assert.Equal(samples, audio.Samples);
        Assert.Equal(8000, audio.SampleRate);
        Assert.Equal(WavEncoding.Pcm16, audio.Encoding);
        Assert.Equal(TimeSpan.FromSeconds(1), audio.Duration);
    }

    [Fact]
    public void WritePcm16_Header_IsCanonical44Bytes()
    {
        byte[] file = Wav.WritePcm16([1, -1]);

        Assert.Equal(
            "52494646" + "28000000" + "57415645" + "666D7420" + "10000000" + "0100" + "0100" + "401F0000" + "803E0000" + "0200" + "1000"
            + "64617461" + "04000000" + "0100" + "FFFF",
            Convert.ToHexString(file));
    }

    [Fact]
    public void WritePcm16Header_Stereo_HasTwoChannelsAndFourByteFrames()
    {
        var header = new byte[Wav.Pcm16HeaderSize];

        Wav.WritePcm16Header(header, dataSize: 8, channels: 2);

        Assert.Equal(
            "52494646" + "2C000000" + "57415645" + "666D7420" + "10000000" + "0100" + "0200" + "401F0000" + "007D0000" + "0400" + "1000"
            + "64617461" + "08000000",
            Convert.ToHexString(header));
    }

    [Fact]
    public void WritePcm16Header_Mono_ReadsBackAsTheSamples()
    {
        var file = new byte[Wav.Pcm16HeaderSize + 4];
        Wav.WritePcm16Header(file, dataSize: 4);
        file[44] = 1;
        file[46] = 0xFF;
        file[47] = 0xFF;

        Assert.Equal([1, -1], Wav.Read(file).Samples);
    }

    [Fact]
    public void WritePcm16File_ThenReadFile_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sip-media-{Guid.NewGuid():N}.wav");
        try
        {
            short[] samples = [0, 100, -100, short.MaxValue, short.MinValue];
            Wav.WritePcm16File(path, samples);
            Assert.Equal(samples, Wav.ReadFile(path).Samples);
            using var stream = File.OpenRead(path);
            Assert.Equal(samples, Wav.Read(stream).Samples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(7, WavEncoding.MuLaw)]
    [InlineData(6, WavEncoding.ALaw)]
    public void Read_G711File_DecodesSamples(int formatTag, WavEncoding encoding)
    {
        byte[] codes = formatTag == 7 ? [0xFF, 0x00, 0x80, 0xEF] : [0xD5, 0x2A, 0xAA, 0xC5];

        WavAudio audio = Wav.Read(BuildFile(formatTag, channels: 1, bits: 8, codes, extraChunk: true));

        Assert.Equal(encoding, audio.Encoding);
        short[] expected = formatTag == 7 ? G711.MuLawDecode(codes) : G711.ALawDecode(codes);
        Assert.Equal(expected, audio.Samples);
        Assert.Equal(formatTag == 7 ? new short[] { 0, -32124, 32124, 132 } : new short[] { 8, -32256, 32256, 264 }, audio.Samples);
    }

    [Fact]
    public void Read_NotRiff_ThrowsWavFormatException()
    {
        var exception = Assert.Throws<WavFormatException>(() => Wav.Read("RIFX\0\0\0\0WAVE"u8));
        Assert.Contains("RIFF", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Stereo_ThrowsWavFormatException()
    {
        var exception = Assert.Throws<WavFormatException>(() => Wav.Read(BuildFile(1, channels: 2, bits: 16, new byte[8])));
        Assert.Contains("mono", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FloatFormat_ThrowsWavFormatException()
    {
        var exception = Assert.Throws<WavFormatException>(() => Wav.Read(BuildFile(3, channels: 1, bits: 32, new byte[8])));
        Assert.Contains("format tag 3", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EightBitPcm_ThrowsWavFormatException()
    {
        Assert.Throws<WavFormatException>(() => Wav.Read(BuildFile(1, channels: 1, bits: 8, new byte[8])));
    }

    [Fact]
    public void Read_TruncatedDataChunk_ThrowsWavFormatException()
    {
        byte[] file = Wav.WritePcm16(new short[100]);

        var exception = Assert.Throws<WavFormatException>(() => Wav.Read(file.AsSpan(0, file.Length - 10)));
        Assert.Contains("data", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OddPcmDataLength_ThrowsWavFormatException()
    {
        Assert.Throws<WavFormatException>(() => Wav.Read(BuildFile(1, 1, 16, new byte[7])));
    }

    [Fact]
    public void Read_MissingDataChunk_ThrowsWavFormatException()
    {
        byte[] file = Wav.WritePcm16([]).AsSpan(0, 36).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), 28);

        var exception = Assert.Throws<WavFormatException>(() => Wav.Read(file));
        Assert.Equal("no data chunk", exception.Message);
    }

    [Fact]
    public void Read_DataBeforeFmt_ThrowsWavFormatException()
    {
        byte[] file = [.. "RIFF"u8, 20, 0, 0, 0, .. "WAVE"u8, .. "data"u8, 4, 0, 0, 0, 1, 2, 3, 4];

        Assert.Throws<WavFormatException>(() => Wav.Read(file));
    }

    private static byte[] BuildFile(int formatTag, int channels, int bits, byte[] data, bool extraChunk = false)
    {
        var stream = new MemoryStream();
        var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(0);
        writer.Write("WAVE"u8);
        if (extraChunk)
        {
            // An odd-sized LIST chunk, padded to an even size, must be skipped.
            writer.Write("LIST"u8);
            writer.Write(3);
            writer.Write(new byte[] { 1, 2, 3, 0 });
        }

        writer.Write("fmt "u8);
        writer.Write(18);
        writer.Write((ushort)formatTag);
        writer.Write((ushort)channels);
        writer.Write(8000);
        writer.Write(8000 * channels * bits / 8);
        writer.Write((ushort)(channels * bits / 8));
        writer.Write((ushort)bits);
        writer.Write((ushort)0); // cbSize
        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        writer.Flush();
        byte[] file = stream.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        return file;
    }
}
