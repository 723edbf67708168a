using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>The narrowband codecs the media engine sends and receives; the value is the static RTP payload type (RFC 3551).</summary>
public enum AudioCodec
{
    Pcmu = 0,
    Pcma = 8,
}

/// <summary>Codec helpers: G.711 frame encode/decode through <see cref="G711"/>, and byte-to-byte μ-law ↔ A-law tables for relays.</summary>
internal static class AudioCodecs
{
    /// <summary>μ-law code → A-law code of the same decoded sample.</summary>
    private static readonly byte[] MuLawToALaw = BuildTable(G711.MuLawDecode, G711.ALawEncode);

    /// <summary>A-law code → μ-law code of the same decoded sample.</summary>
    private static readonly byte[] ALawToMuLaw = BuildTable(G711.ALawDecode, G711.MuLawEncode);

    public static bool IsKnown(int payloadType) => payloadType is (int)AudioCodec.Pcmu or (int)AudioCodec.Pcma;

    public static void Encode(AudioCodec codec, ReadOnlySpan<short> samples, Span<byte> payload)
    {
        if (codec == AudioCodec.Pcma)
        {
            G711.ALawEncode(samples, payload);
        }
        else
        {
            G711.MuLawEncode(samples, payload);
        }
    }

    public static void Decode(AudioCodec codec, ReadOnlySpan<byte> payload, Span<short> samples)
    {
        if (codec == AudioCodec.Pcma)
        {
            G711.ALawDecode(payload, samples);
        }
        else
        {
            G711.MuLawDecode(payload, samples);
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>, converting between μ-law and A-law when the codecs differ.</summary>
    public static void Transcode(AudioCodec from, AudioCodec to, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }

        byte[] table = from == AudioCodec.Pcmu ? MuLawToALaw : ALawToMuLaw;
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    private static byte[] BuildTable(Func<byte, short> decode, Func<short, byte> encode)
    {
        var table = new byte[256];
        for (int code = 0; code < 256; code++)
        {
            table[code] = encode(decode((byte)code));
        }

        return table;
    }
}
