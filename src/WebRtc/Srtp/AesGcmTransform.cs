using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): the 12-byte IV from SSRC, ROC and sequence (or the SRTCP index) XOR the session salt
/// (sections 8.1 and 9.1); the RTP header is the associated data, the payload is encrypted with a 16-byte tag after it;
/// SRTCP puts the E flag and index after the tag and authenticates them with the first 8 bytes (section 9.3).
/// </summary>
internal sealed class AesGcmTransform : SrtpTransform
{
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int RtcpHeaderLength = 8;

    private readonly AesGcm _rtp;
    private readonly AesGcm _rtcp;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    public AesGcmTransform(SrtpSessionKeys keys)
    {
        _rtp = new AesGcm(keys.RtpEncryptionKey, TagLength);
        _rtcp = new AesGcm(keys.RtcpEncryptionKey, TagLength);
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
    }

    public override void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, long index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, index);
        var payload = buffer[headerLength..length];
        _rtp.Encrypt(nonce, payload, payload, buffer.Slice(length, TagLength), buffer[..headerLength]);
    }

    public override bool UnprotectRtp(Span<byte> buffer, int headerLength, int authenticatedLength, uint ssrc, long index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, index);
        var payload = buffer[headerLength..authenticatedLength];
        try
        {
            _rtp.Decrypt(nonce, payload, buffer.Slice(authenticatedLength, TagLength), payload, buffer[..headerLength]);
            return true;
        }
        catch (CryptographicException)
        {
            // AesGcm reports a bad tag only by throwing; the packet is dropped and counted like any other bad tag.
            return false;
        }
    }

    public override void ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, indexWord);
        Span<byte> associated = stackalloc byte[RtcpHeaderLength + SrtpProfileSizes.SrtcpIndexLength];
        buffer[..RtcpHeaderLength].CopyTo(associated);
        BinaryPrimitives.WriteUInt32BigEndian(associated[RtcpHeaderLength..], indexWord);
        var body = buffer[RtcpHeaderLength..length];
        _rtcp.Encrypt(nonce, body, body, buffer.Slice(length, TagLength), associated);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(length + TagLength)..], indexWord);
    }

    // RFC 7714 section 9.2: the packet, the tag, then E and the index.
    public override int RtcpIndexWordOffset(int length) => length - SrtpProfileSizes.SrtcpIndexLength;

    public override bool UnprotectRtcp(Span<byte> buffer, int rtcpLength, int length, uint ssrc, uint indexWord)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, indexWord);
        Span<byte> tag = stackalloc byte[TagLength];
        buffer.Slice(rtcpLength, TagLength).CopyTo(tag);
        try
        {
            if ((indexWord & 0x8000_0000) != 0)
            {
                Span<byte> associated = stackalloc byte[RtcpHeaderLength + SrtpProfileSizes.SrtcpIndexLength];
                buffer[..RtcpHeaderLength].CopyTo(associated);
                BinaryPrimitives.WriteUInt32BigEndian(associated[RtcpHeaderLength..], indexWord);
                var body = buffer[RtcpHeaderLength..rtcpLength];
                _rtcp.Decrypt(nonce, body, tag, body, associated);
            }
            else
            {
                // Authenticated only: the whole packet and the index word are the associated data. The word is moved
                // next to the packet (over the tag, already copied) so that they are one span.
                BinaryPrimitives.WriteUInt32BigEndian(buffer[rtcpLength..], indexWord);
                _rtcp.Decrypt(nonce, [], tag, [], buffer[..(rtcpLength + SrtpProfileSizes.SrtcpIndexLength)]);
            }

            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    /// <summary>RFC 7714 section 8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt.</summary>
    private void RtpNonce(Span<byte> nonce, uint ssrc, long index)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], (uint)(index >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], (ushort)index);
        Xor(nonce, _rtpSalt);
    }

    /// <summary>RFC 7714 section 9.1: 00 00 || SSRC || 00 00 || 0 || SRTCP index, XOR the session salt.</summary>
    private void RtcpNonce(Span<byte> nonce, uint ssrc, uint indexWord)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        nonce[6] = 0;
        nonce[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], indexWord & 0x7FFF_FFFF);
        Xor(nonce, _rtcpSalt);
    }

    private static void Xor(Span<byte> nonce, ReadOnlySpan<byte> salt)
    {
        for (var i = 0; i < NonceLength; i++)
        {
            nonce[i] ^= salt[i];
        }
    }
}
