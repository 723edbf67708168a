using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 and _32 (RFC 3711 sections 4.1.1 and 4.2): AES counter mode with the IV from salt, SSRC and
/// index; HMAC-SHA1 over the packet (plus the ROC for SRTP, plus the E flag and index for SRTCP), truncated.
/// </summary>
internal sealed class AesCmHmacSha1Transform : SrtpTransform
{
    private const int RocLength = 4;
    private const int Sha1Length = 20;
    private const int RtcpHeaderLength = 8;
    private const int RtcpTagLength = 10;

    private readonly int _rtpTagLength;
    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly IncrementalHash _rtpMac;
    private readonly IncrementalHash _rtcpMac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    public AesCmHmacSha1Transform(SrtpSessionKeys keys, int rtpTagLength)
    {
        _rtpTagLength = rtpTagLength;
        _rtpCipher = new AesCounterMode(keys.RtpEncryptionKey);
        _rtcpCipher = new AesCounterMode(keys.RtcpEncryptionKey);
        // IncrementalHash keeps the keyed HMAC state and returns to it on each GetHashAndReset: no per-packet key schedule.
        _rtpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtpAuthenticationKey);
        _rtcpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtcpAuthenticationKey);
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
    }

    public override void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, long index)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        FormIv(iv, _rtpSalt, ssrc, index);
        _rtpCipher.Apply(iv, buffer[headerLength..length]);

        // The tag covers the packet followed by the ROC: the ROC is written where the tag goes, so the MAC runs over
        // one contiguous span, then the tag overwrites it.
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], (uint)(index >> 16));
        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtpMac.AppendData(buffer[..(length + RocLength)]);
        _rtpMac.GetHashAndReset(mac);
        mac[.._rtpTagLength].CopyTo(buffer[length..]);
    }

    public override bool UnprotectRtp(Span<byte> buffer, int headerLength, int authenticatedLength, uint ssrc, long index)
    {
        var tagArea = buffer.Slice(authenticatedLength, _rtpTagLength);
        Span<byte> received = stackalloc byte[_rtpTagLength];
        tagArea.CopyTo(received);
        BinaryPrimitives.WriteUInt32BigEndian(tagArea, (uint)(index >> 16));
        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtpMac.AppendData(buffer[..(authenticatedLength + RocLength)]);
        _rtpMac.GetHashAndReset(mac);
        received.CopyTo(tagArea);
        if (!CryptographicOperations.FixedTimeEquals(mac[.._rtpTagLength], received))
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        FormIv(iv, _rtpSalt, ssrc, index);
        _rtpCipher.Apply(iv, buffer[headerLength..authenticatedLength]);
        return true;
    }

    public override void ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        FormIv(iv, _rtcpSalt, ssrc, indexWord & 0x7FFF_FFFF);
        _rtcpCipher.Apply(iv, buffer[RtcpHeaderLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], indexWord);
        var authenticatedLength = length + SrtpProfileSizes.SrtcpIndexLength;
        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtcpMac.AppendData(buffer[..authenticatedLength]);
        _rtcpMac.GetHashAndReset(mac);
        mac[..RtcpTagLength].CopyTo(buffer[authenticatedLength..]);
    }

    // RFC 3711 figure 2: the packet, then E and the index, then the tag.
    public override int RtcpIndexWordOffset(int length) => length - RtcpTagLength - SrtpProfileSizes.SrtcpIndexLength;

    public override bool UnprotectRtcp(Span<byte> buffer, int rtcpLength, int length, uint ssrc, uint indexWord)
    {
        var authenticatedLength = length - RtcpTagLength;
        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtcpMac.AppendData(buffer[..authenticatedLength]);
        _rtcpMac.GetHashAndReset(mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..RtcpTagLength], buffer.Slice(authenticatedLength, RtcpTagLength)))
        {
            return false;
        }

        if ((indexWord & 0x8000_0000) != 0)
        {
            Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
            FormIv(iv, _rtcpSalt, ssrc, indexWord & 0x7FFF_FFFF);
            _rtcpCipher.Apply(iv, buffer[RtcpHeaderLength..rtcpLength]);
        }

        return true;
    }

    public override void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    /// <summary>The counter-mode IV of RFC 3711 section 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).</summary>
    private static void FormIv(Span<byte> iv, ReadOnlySpan<byte> salt, uint ssrc, long index)
    {
        salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (var i = 0; i < 4; i++)
        {
            iv[4 + i] ^= word[i];
        }

        BinaryPrimitives.WriteInt64BigEndian(word, index);
        for (var i = 2; i < 8; i++)
        {
            iv[6 + i] ^= word[i];
        }
    }
}
