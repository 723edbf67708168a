using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// SRTCP (RFC 3711 section 3.4): everything after the first 8 bytes encrypted, then the E flag with the 31-bit SRTCP
/// index, then the tag over the packet and that word. The index is the sender's own counter, so no estimation.
/// </summary>
public sealed partial class SrtpSession
{
    private const int SrtcpIndexLength = 4;
    private const uint EncryptedFlag = 0x8000_0000;

    /// <summary>
    /// Protects the RTCP compound packet in <paramref name="buffer"/>[0..<paramref name="length"/>] in place and appends
    /// the E flag with the index and the tag; the buffer needs <see cref="RtcpOverhead"/> bytes of room after the packet.
    /// </summary>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if (length < RtcpHeaderLength || length > buffer.Length)
        {
            return SrtpStatus.TooShort;
        }

        if (!IsVersion2(buffer[0]))
        {
            return SrtpStatus.NotVersion2;
        }

        if (buffer.Length < length + RtcpOverhead)
        {
            return SrtpStatus.BufferTooSmall;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        if (!_sentRtcp.TryGetValue(ssrc, out var stream))
        {
            if (!HasRoomForStream(_sentRtcp))
            {
                return SrtpStatus.TooManySsrcs;
            }

            stream = new RtcpStream();
            _sentRtcp.Add(ssrc, stream);
        }

        var index = stream.NextIndex;
        if (index > MaxRtcpIndex)
        {
            // RFC 3711 section 3.3.1: the index must never repeat under one key; the session needs new keys.
            return SrtpStatus.BadIndex;
        }

        stream.NextIndex = index + 1;
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        FormIv(iv, _rtcpSalt, ssrc, index);
        _rtcpCipher.Apply(iv, buffer[RtcpHeaderLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], EncryptedFlag | index);
        var authenticatedLength = length + SrtcpIndexLength;
        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtcpMac.AppendData(buffer[..authenticatedLength]);
        _rtcpMac.GetHashAndReset(mac);
        mac[..SrtpProfileSizes.SrtcpTagLength].CopyTo(buffer[authenticatedLength..]);
        protectedLength = authenticatedLength + SrtpProfileSizes.SrtcpTagLength;
        return SrtpStatus.Ok;
    }

    /// <summary>
    /// Checks and (if its E flag is set) decrypts the SRTCP packet in <paramref name="buffer"/>[0..<paramref name="length"/>]
    /// in place; on <see cref="SrtpStatus.Ok"/> the RTCP packet is the first <paramref name="plainLength"/> bytes. Never throws.
    /// </summary>
    public SrtpStatus UnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        if (length < 0 || length > buffer.Length)
        {
            return SrtpStatus.TooShort;
        }

        var authenticatedLength = length - SrtpProfileSizes.SrtcpTagLength;
        var rtcpLength = authenticatedLength - SrtcpIndexLength;
        if (rtcpLength < RtcpHeaderLength)
        {
            return SrtpStatus.TooShort;
        }

        if (!IsVersion2(buffer[0]))
        {
            return SrtpStatus.NotVersion2;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var indexWord = BinaryPrimitives.ReadUInt32BigEndian(buffer[rtcpLength..]);
        var encrypted = (indexWord & EncryptedFlag) != 0;
        var index = indexWord & MaxRtcpIndex;
        _receivedRtcp.TryGetValue(ssrc, out var stream);
        SrtpStatus status;
        if (stream is not null && (status = stream.Window.Check(index)) != SrtpStatus.Ok)
        {
            return status;
        }

        Span<byte> mac = stackalloc byte[Sha1Length];
        _rtcpMac.AppendData(buffer[..authenticatedLength]);
        _rtcpMac.GetHashAndReset(mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..SrtpProfileSizes.SrtcpTagLength], buffer.Slice(authenticatedLength, SrtpProfileSizes.SrtcpTagLength)))
        {
            return SrtpStatus.BadTag;
        }

        if (stream is null)
        {
            if (!HasRoomForStream(_receivedRtcp))
            {
                return SrtpStatus.TooManySsrcs;
            }

            stream = new RtcpStream();
            _receivedRtcp.Add(ssrc, stream);
        }

        stream.Window.Accept(index);
        if (encrypted)
        {
            Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
            FormIv(iv, _rtcpSalt, ssrc, index);
            _rtcpCipher.Apply(iv, buffer[RtcpHeaderLength..rtcpLength]);
        }

        plainLength = rtcpLength;
        return SrtpStatus.Ok;
    }
}
