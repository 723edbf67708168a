using System.Buffers.Binary;

namespace CallCenter.WebRtc.Srtp;

/// <summary>SRTP (RFC 3711 section 3.3): the RTP payload encrypted, header and payload authenticated with the ROC.</summary>
public sealed partial class SrtpSession
{
    /// <summary>
    /// Protects the RTP packet in <paramref name="buffer"/>[0..<paramref name="length"/>] in place and appends the tag;
    /// the buffer needs <see cref="RtpOverhead"/> bytes of room after the packet.
    /// </summary>
    public SrtpStatus ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if (length < 0 || length > buffer.Length)
        {
            return SrtpStatus.TooShort;
        }

        var status = RtpHeaderLengthOf(buffer[..length], out var headerLength);
        if (status != SrtpStatus.Ok)
        {
            return status;
        }

        if (buffer.Length < length + _rtpTagLength)
        {
            return SrtpStatus.BufferTooSmall;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if (!_sentRtp.TryGetValue(ssrc, out var stream))
        {
            if (!HasRoomForStream(_sentRtp))
            {
                return SrtpStatus.TooManySsrcs;
            }

            stream = new RtpStream();
            _sentRtp.Add(ssrc, stream);
        }

        // The sender follows its own sequence numbers as a receiver would (appendix A), so the ROC steps at each wrap.
        var index = EstimateIndex(stream, sequence);
        if (index < 0 || index > MaxRtpIndex)
        {
            return SrtpStatus.BadIndex;
        }

        Advance(stream, index, sequence);
        _transform.ProtectRtp(buffer, headerLength, length, ssrc, index);
        protectedLength = length + _rtpTagLength;
        return SrtpStatus.Ok;
    }

    /// <summary>
    /// Checks and decrypts the SRTP packet in <paramref name="buffer"/>[0..<paramref name="length"/>] in place; on
    /// <see cref="SrtpStatus.Ok"/> the RTP packet is the first <paramref name="plainLength"/> bytes. Never throws.
    /// </summary>
    public SrtpStatus UnprotectRtp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        if (length < 0 || length > buffer.Length)
        {
            return SrtpStatus.TooShort;
        }

        var authenticatedLength = length - _rtpTagLength;
        if (authenticatedLength < RtpHeaderLength)
        {
            return SrtpStatus.TooShort;
        }

        var status = RtpHeaderLengthOf(buffer[..authenticatedLength], out var headerLength);
        if (status != SrtpStatus.Ok)
        {
            return status;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        _receivedRtp.TryGetValue(ssrc, out var stream);
        var index = stream is null ? sequence : EstimateIndex(stream, sequence);
        if (index < 0 || index > MaxRtpIndex)
        {
            return SrtpStatus.BadIndex;
        }

        if (stream is not null && (status = stream.Window.Check(index)) != SrtpStatus.Ok)
        {
            return status;
        }

        if (stream is null && !HasRoomForStream(_receivedRtp))
        {
            return SrtpStatus.TooManySsrcs;
        }

        if (!_transform.UnprotectRtp(buffer, headerLength, authenticatedLength, ssrc, index))
        {
            return SrtpStatus.BadTag;
        }

        if (stream is null)
        {
            // A context is made only for a packet that authenticated, so forged SSRCs cannot fill the table.
            stream = new RtpStream();
            _receivedRtp.Add(ssrc, stream);
        }

        Advance(stream, index, sequence);
        stream.Window.Accept(index);
        plainLength = authenticatedLength;
        return SrtpStatus.Ok;
    }

    /// <summary>The index estimate of RFC 3711 section 3.3.1 and appendix A: the ROC guessed from the highest sequence seen.</summary>
    private static long EstimateIndex(RtpStream stream, ushort sequence)
    {
        if (!stream.Started)
        {
            return sequence;
        }

        long rolloverCounter = stream.RolloverCounter;
        var highest = stream.HighestSequence;
        if (highest < 32768)
        {
            if (sequence - highest > 32768)
            {
                rolloverCounter--;
            }
        }
        else if (highest - 32768 > sequence)
        {
            rolloverCounter++;
        }

        return (rolloverCounter << 16) | sequence;
    }

    private static void Advance(RtpStream stream, long index, ushort sequence)
    {
        var rolloverCounter = (uint)(index >> 16);
        if (!stream.Started)
        {
            stream.Started = true;
            stream.RolloverCounter = rolloverCounter;
            stream.HighestSequence = sequence;
        }
        else if (rolloverCounter > stream.RolloverCounter)
        {
            stream.RolloverCounter = rolloverCounter;
            stream.HighestSequence = sequence;
        }
        else if (rolloverCounter == stream.RolloverCounter && sequence > stream.HighestSequence)
        {
            stream.HighestSequence = sequence;
        }
    }

    /// <summary>The fixed header, the CSRCs and the header extension (RFC 3550 section 5.3.1): everything left in clear.</summary>
    private static SrtpStatus RtpHeaderLengthOf(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < RtpHeaderLength)
        {
            return SrtpStatus.TooShort;
        }

        if (!IsVersion2(packet[0]))
        {
            return SrtpStatus.NotVersion2;
        }

        var length = RtpHeaderLength + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return SrtpStatus.TooShort;
            }

            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }

        if (packet.Length < length)
        {
            return SrtpStatus.TooShort;
        }

        headerLength = length;
        return SrtpStatus.Ok;
    }
}
