namespace CallCenter.Sip.Media;

/// <summary>
/// ITU-T G.711 μ-law and A-law companding between 8-bit codes and 16-bit linear PCM.
/// Decoding uses the exact G.711 tables (μ-law on a 14-bit scale, A-law on a 13-bit scale,
/// both shifted up to 16 bits). Encoding picks the segment and step that contain the sample,
/// as the reference implementation does, so every code survives decode → encode unchanged
/// (except μ-law 0x7F, "negative zero", which decodes to 0 and encodes back as 0xFF).
/// </summary>
public static class G711
{
    private const int MuLawBias = 0x84;
    private const int MuLawClip = 8159;
    private static readonly short[] MuLawToLinear = BuildMuLawTable();
    private static readonly short[] ALawToLinear = BuildALawTable();

    /// <summary>Decodes one μ-law code to 16-bit linear PCM (0xFF → 0, 0x00 → -32124).</summary>
    public static short MuLawDecode(byte code) => MuLawToLinear[code];

    /// <summary>Decodes one A-law code to 16-bit linear PCM (0xD5 → 8, 0x2A → -32256).</summary>
    public static short ALawDecode(byte code) => ALawToLinear[code];

    /// <summary>Encodes one 16-bit linear PCM sample to μ-law (0 → 0xFF).</summary>
    public static byte MuLawEncode(short sample)
    {
        int value = sample >> 2;
        int mask;
        if (value < 0)
        {
            value = -value;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        if (value > MuLawClip)
        {
            value = MuLawClip;
        }

        value += MuLawBias >> 2;
        int segment = 0;
        while (segment < 8 && value > (0x40 << segment) - 1)
        {
            segment++;
        }

        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        int code = (segment << 4) | ((value >> (segment + 1)) & 0x0F);
        return (byte)(code ^ mask);
    }

    /// <summary>Encodes one 16-bit linear PCM sample to A-law (0 → 0xD5).</summary>
    public static byte ALawEncode(short sample)
    {
        int value = sample >> 3;
        int mask;
        if (value >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            value = -value - 1;
        }

        int segment = 0;
        while (segment < 8 && value > (0x20 << segment) - 1)
        {
            segment++;
        }

        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        int code = segment << 4;
        code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
        return (byte)(code ^ mask);
    }

    public static void MuLawEncode(ReadOnlySpan<short> samples, Span<byte> codes)
    {
        CheckLengths(samples.Length, codes.Length);
        for (int i = 0; i < samples.Length; i++)
        {
            codes[i] = MuLawEncode(samples[i]);
        }
    }

    public static void MuLawDecode(ReadOnlySpan<byte> codes, Span<short> samples)
    {
        CheckLengths(codes.Length, samples.Length);
        for (int i = 0; i < codes.Length; i++)
        {
            samples[i] = MuLawToLinear[codes[i]];
        }
    }

    public static void ALawEncode(ReadOnlySpan<short> samples, Span<byte> codes)
    {
        CheckLengths(samples.Length, codes.Length);
        for (int i = 0; i < samples.Length; i++)
        {
            codes[i] = ALawEncode(samples[i]);
        }
    }

    public static void ALawDecode(ReadOnlySpan<byte> codes, Span<short> samples)
    {
        CheckLengths(codes.Length, samples.Length);
        for (int i = 0; i < codes.Length; i++)
        {
            samples[i] = ALawToLinear[codes[i]];
        }
    }

    public static byte[] MuLawEncode(ReadOnlySpan<short> samples)
    {
        var codes = new byte[samples.Length];
        MuLawEncode(samples, codes);
        return codes;
    }

    public static short[] MuLawDecode(ReadOnlySpan<byte> codes)
    {
        var samples = new short[codes.Length];
        MuLawDecode(codes, samples);
        return samples;
    }

    public static byte[] ALawEncode(ReadOnlySpan<short> samples)
    {
        var codes = new byte[samples.Length];
        ALawEncode(samples, codes);
        return codes;
    }

    public static short[] ALawDecode(ReadOnlySpan<byte> codes)
    {
        var samples = new short[codes.Length];
        ALawDecode(codes, samples);
        return samples;
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException("destination is shorter than the source", nameof(destination));
        }
    }

    private static short[] BuildMuLawTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            int inverted = ~code & 0xFF;
            int magnitude = (((inverted & 0x0F) << 3) + MuLawBias) << ((inverted & 0x70) >> 4);
            table[code] = (short)((inverted & 0x80) != 0 ? MuLawBias - magnitude : magnitude - MuLawBias);
        }

        return table;
    }

    private static short[] BuildALawTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            int value = code ^ 0x55;
            int magnitude = (value & 0x0F) << 4;
            int segment = (value & 0x70) >> 4;
            magnitude = segment switch
            {
                0 => magnitude + 8,
                1 => magnitude + 0x108,
                _ => (magnitude + 0x108) << (segment - 1),
            };
            table[code] = (short)((value & 0x80) != 0 ? magnitude : -magnitude);
        }

        return table;
    }
}
