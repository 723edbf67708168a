using System.Buffers.Binary;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// Reads a 16-bit PCM WAV while its writer still has it open (baresip's sndfile dumps, the edge's recordings): the
/// header's sizes are only final once the writer closes the file, so the samples are whatever follows the data chunk's
/// header up to the end of the file, cut to whole frames. The writer's own buffering decides how recent they are.
/// </summary>
public static class GrowingWav
{
    /// <summary>
    /// The samples written so far, interleaved when there are several channels; empty (and 0 channels when the fmt
    /// chunk is not there either) before the data chunk reaches the disk.
    /// </summary>
    public static (short[] Samples, int Channels, int SampleRate) ReadInterleaved(string path)
    {
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        var channels = 0;
        var rate = ToneGenerator.DefaultSampleRate;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            var body = offset + 8;
            if (id == "fmt " && body + 16 <= bytes.Length)
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4));
            }
            else if (id == "data" && channels > 0)
            {
                var frames = (bytes.Length - body) / (2 * channels);
                var samples = new short[frames * channels];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + (2 * i)));
                }

                return (samples, channels, rate);
            }

            offset = body + (int)size + (int)(size & 1);
        }

        return ([], channels, rate);
    }

    /// <summary>A mono file's samples so far (empty when the file does not exist yet).</summary>
    public static WavAudio ReadMono(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return new WavAudio([], ToneGenerator.DefaultSampleRate, WavEncoding.Pcm16);
        }

        var (samples, channels, rate) = ReadInterleaved(path);
        if (samples.Length > 0 && channels != 1)
        {
            throw new InvalidOperationException($"{path} has {channels} channels, not 1");
        }

        return new WavAudio(samples, rate, WavEncoding.Pcm16);
    }

    /// <summary>A stereo file's two channels so far.</summary>
    public static (WavAudio Left, WavAudio Right) ReadStereo(string path)
    {
        var (samples, channels, rate) = ReadInterleaved(path);
        if (samples.Length > 0 && channels != 2)
        {
            throw new InvalidOperationException($"{path} has {channels} channels, not 2");
        }

        var left = new short[samples.Length / 2];
        var right = new short[samples.Length / 2];
        for (var i = 0; i < left.Length; i++)
        {
            left[i] = samples[2 * i];
            right[i] = samples[(2 * i) + 1];
        }

        return (new WavAudio(left, rate, WavEncoding.Pcm16), new WavAudio(right, rate, WavEncoding.Pcm16));
    }
}
