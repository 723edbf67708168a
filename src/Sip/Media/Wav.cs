using System.Buffers.Binary;

namespace CallCenter.Sip.Media;

/// <summary>The WAVE format tags this reader understands.</summary>
public enum WavEncoding
{
    Pcm16 = 1,
    ALaw = 6,
    MuLaw = 7,
}

/// <summary>A malformed or unsupported WAV file. The message says what is wrong.</summary>
public sealed class WavFormatException : Exception
{
    public WavFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>Mono audio read from a WAV file, decoded to 16-bit PCM, with the encoding the file used.</summary>
public sealed record WavAudio(short[] Samples, int SampleRate, WavEncoding Encoding)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);
}

/// <summary>
/// Reads and writes RIFF/WAVE files: mono 16-bit PCM (format 1; <see cref="WritePcm16Header"/> also writes
/// multi-channel headers for streaming writers), and for reading also 8-bit A-law (6)
/// and μ-law (7), which are decoded with <see cref="G711"/>. Chunks other than fmt and data are skipped.
/// Stereo, other bit depths, WAVE_FORMAT_EXTENSIBLE and RF64 are rejected with <see cref="WavFormatException"/>.
/// </summary>
public static class Wav
{
    private const int RiffHeaderSize = 12;
    private const int ChunkHeaderSize = 8;

    public static WavAudio Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < RiffHeaderSize || !file[..4].SequenceEqual("RIFF"u8) || !file[8..12].SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException("not a RIFF/WAVE file (missing 'RIFF' or 'WAVE' header)");
        }

        long riffEnd = Math.Min(file.Length, 8L + BinaryPrimitives.ReadUInt32LittleEndian(file[4..]));
        if (riffEnd < RiffHeaderSize)
        {
            throw new WavFormatException("RIFF size is smaller than the WAVE header");
        }

        int offset = RiffHeaderSize;
        WavEncoding? encoding = null;
        int sampleRate = 0;
        while (offset + ChunkHeaderSize <= riffEnd)
        {
            ReadOnlySpan<byte> id = file.Slice(offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            int bodyStart = offset + ChunkHeaderSize;
            if (size > riffEnd - bodyStart)
            {
                throw new WavFormatException($"chunk '{ChunkName(id)}' is {size} bytes but only {riffEnd - bodyStart} remain");
            }

            ReadOnlySpan<byte> body = file.Slice(bodyStart, (int)size);
            if (id.SequenceEqual("fmt "u8))
            {
                (encoding, sampleRate) = ReadFormat(body);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (encoding is not WavEncoding format)
                {
                    throw new WavFormatException("data chunk before the fmt chunk");
                }

                return new WavAudio(Decode(body, format), sampleRate, format);
            }

            // Chunks are padded to an even size.
            offset = bodyStart + (int)size + (int)(size & 1);
        }

        throw new WavFormatException(encoding is null ? "no fmt chunk" : "no data chunk");
    }

    public static WavAudio Read(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public static WavAudio ReadFile(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Size of the canonical header <see cref="WritePcm16Header"/> writes (RIFF, fmt and data chunk headers).</summary>
    public const int Pcm16HeaderSize = 44;

    /// <summary>A mono 16-bit PCM WAV file (44-byte header) holding <paramref name="samples"/>.</summary>
    public static byte[] WritePcm16(ReadOnlySpan<short> samples, int sampleRate = ToneGenerator.DefaultSampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        int dataSize = samples.Length * 2;
        var file = new byte[Pcm16HeaderSize + dataSize];
        Span<byte> span = file;
        WritePcm16Header(span, dataSize, sampleRate);
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(Pcm16HeaderSize + (2 * i))..], samples[i]);
        }

        return file;
    }

    /// <summary>
    /// Writes the 44-byte header of a 16-bit PCM WAV file with <paramref name="channels"/> interleaved channels and
    /// <paramref name="dataSize"/> bytes of samples after it. A streaming writer puts a provisional header first and
    /// rewrites it with the final size when it closes the file.
    /// </summary>
    public static void WritePcm16Header(Span<byte> destination, long dataSize, int sampleRate = ToneGenerator.DefaultSampleRate, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(dataSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataSize, uint.MaxValue - 36L);
        if (destination.Length < Pcm16HeaderSize)
        {
            throw new ArgumentException($"destination needs {Pcm16HeaderSize} bytes", nameof(destination));
        }

        int blockAlign = 2 * channels;
        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)(36 + dataSize));
        "WAVE"u8.CopyTo(destination[8..]);
        "fmt "u8.CopyTo(destination[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], (ushort)WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[34..], 16);
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], (uint)dataSize);
    }

    public static void WritePcm16(Stream stream, ReadOnlySpan<short> samples, int sampleRate = ToneGenerator.DefaultSampleRate) =>
        stream.Write(WritePcm16(samples, sampleRate));

    public static void WritePcm16File(string path, ReadOnlySpan<short> samples, int sampleRate = ToneGenerator.DefaultSampleRate) =>
        File.WriteAllBytes(path, WritePcm16(samples, sampleRate));

    private static (WavEncoding Encoding, int SampleRate) ReadFormat(ReadOnlySpan<byte> body)
    {
        if (body.Length < 16)
        {
            throw new WavFormatException($"fmt chunk is {body.Length} bytes; at least 16 are required");
        }

        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
        ushort channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        ushort blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(body[12..]);
        ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
        if (channels != 1)
        {
            throw new WavFormatException($"{channels} channels; only mono is supported");
        }

        if (sampleRate is 0 or > 384_000)
        {
            throw new WavFormatException($"sample rate {sampleRate} is not valid");
        }

        (WavEncoding encoding, int expectedBits) = tag switch
        {
            1 => (WavEncoding.Pcm16, 16),
            6 => (WavEncoding.ALaw, 8),
            7 => (WavEncoding.MuLaw, 8),
            _ => throw new WavFormatException($"format tag {tag} is not supported (only 1 PCM, 6 A-law, 7 μ-law)"),
        };
        if (bits != expectedBits || blockAlign != expectedBits / 8)
        {
            throw new WavFormatException($"{encoding} needs {expectedBits} bits per sample and block align {expectedBits / 8}, not {bits} and {blockAlign}");
        }

        return (encoding, (int)sampleRate);
    }

    private static short[] Decode(ReadOnlySpan<byte> data, WavEncoding encoding)
    {
        switch (encoding)
        {
            case WavEncoding.ALaw:
                return G711.ALawDecode(data);
            case WavEncoding.MuLaw:
                return G711.MuLawDecode(data);
            default:
                if (data.Length % 2 != 0)
                {
                    throw new WavFormatException("16-bit PCM data has an odd number of bytes");
                }

                var samples = new short[data.Length / 2];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
                }

                return samples;
        }
    }

    private static string ChunkName(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        }

        return new string(chars);
    }
}
