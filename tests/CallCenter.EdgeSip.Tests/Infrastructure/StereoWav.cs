using System.Buffers.Binary;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Infrastructure;

/// <summary>Splits a recording (stereo 16-bit PCM, canonical 44-byte header) into its two channels.</summary>
internal static class StereoWav
{
    public static (WavAudio Left, WavAudio Right) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var channels = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(22));
        var rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24));
        Assert.Equal(2, channels);
        var frames = (bytes.Length - Wav.Pcm16HeaderSize) / 4;
        var left = new short[frames];
        var right = new short[frames];
        for (var i = 0; i < frames; i++)
        {
            left[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(Wav.Pcm16HeaderSize + (4 * i)));
            right[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(Wav.Pcm16HeaderSize + (4 * i) + 2));
        }

        return (new WavAudio(left, rate, WavEncoding.Pcm16), new WavAudio(right, rate, WavEncoding.Pcm16));
    }
}
