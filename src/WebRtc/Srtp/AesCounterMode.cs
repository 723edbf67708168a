using System.Security.Cryptography;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// AES in counter mode as SRTP defines it (RFC 3711 section 4.1.1): block j of the keystream is AES(key, IV + j), the
/// 16-bit block counter in the last two bytes of the IV. Built on AES-ECB over a batch of counter blocks, with the
/// key schedule and the scratch buffers kept for the life of the instance: nothing is allocated per packet.
/// Not thread-safe: one instance per session direction.
/// </summary>
public sealed class AesCounterMode : IDisposable
{
    public const int BlockLength = 16;

    // Blocks encrypted per ECB call: a 1500-byte packet takes one call.
    private const int BatchBlocks = 96;

    private readonly Aes _aes;
    private readonly ICryptoTransform _encryptor;
    private readonly byte[] _counters = new byte[BatchBlocks * BlockLength];
    private readonly byte[] _keystream = new byte[BatchBlocks * BlockLength];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        // A kept ECB transform: unlike the one-shot EncryptEcb, TransformBlock allocates nothing per call.
        _encryptor = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at <paramref name="iv"/> (16 bytes, counter bytes zero) into <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        var block = 0;
        while (!data.IsEmpty)
        {
            var blocks = Math.Min(BatchBlocks, (data.Length + BlockLength - 1) / BlockLength);
            var counters = _counters.AsSpan(0, blocks * BlockLength);
            for (var i = 0; i < blocks; i++, block++)
            {
                var counter = counters.Slice(i * BlockLength, BlockLength);
                iv[..14].CopyTo(counter);
                var low = (iv[14] << 8 | iv[15]) + block;
                counter[14] = (byte)(low >> 8);
                counter[15] = (byte)low;
            }

            var keystream = _keystream.AsSpan(0, counters.Length);
            _encryptor.TransformBlock(_counters, 0, counters.Length, _keystream, 0);
            var length = Math.Min(data.Length, keystream.Length);
            Xor(data[..length], keystream[..length]);
            data = data[length..];
        }
    }

    public void Dispose()
    {
        _encryptor.Dispose();
        _aes.Dispose();
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data);
        var keyWords = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(keystream);
        for (; i < words.Length; i++)
        {
            words[i] ^= keyWords[i];
        }

        for (i *= 8; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }
}
