using System.Buffers.Binary;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// SRTCP (RFC 3711 section 3.4): everything after the first 8 bytes encrypted, the E flag with the 31-bit SRTCP index
/// and the tag added (their order is the transform's). The index is the sender's own counter, so no estimation.
/// </summary>
public sealed partial class SrtpSession
{
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
        _transform.ProtectRtcp(buffer, length, ssrc, EncryptedFlag | index);
        protectedLength = length + RtcpOverhead;
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

        var rtcpLength = length - RtcpOverhead;
        if (rtcpLength < RtcpHeaderLength)
        {
            return SrtpStatus.TooShort;
        }

        if (!IsVersion2(buffer[0]))
        {
            return SrtpStatus.NotVersion2;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var indexWord = BinaryPrimitives.ReadUInt32BigEndian(buffer[_transform.RtcpIndexWordOffset(length)..]);
        var index = indexWord & MaxRtcpIndex;
        _receivedRtcp.TryGetValue(ssrc, out var stream);
        SrtpStatus status;
        if (stream is not null && (status = stream.Window.Check(index)) != SrtpStatus.Ok)
        {
            return status;
        }

        if (stream is null && !HasRoomForStream(_receivedRtcp))
        {
            return SrtpStatus.TooManySsrcs;
        }

        if (!_transform.UnprotectRtcp(buffer, rtcpLength, length, ssrc, indexWord))
        {
            return SrtpStatus.BadTag;
        }

        if (stream is null)
        {
            stream = new RtcpStream();
            _receivedRtcp.Add(ssrc, stream);
        }

        stream.Window.Accept(index);

        plainLength = rtcpLength;
        return SrtpStatus.Ok;
    }
}
