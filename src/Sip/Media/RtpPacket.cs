using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace CallCenter.Sip.Media;

/// <summary>
/// An RTP data packet (RFC 3550 section 5.1): version 2, padding, header extension, CSRC list,
/// marker, payload type, sequence number, timestamp and SSRC. <see cref="TryParse"/> never throws
/// on network input; it returns false for anything that is not a valid RTP packet.
/// </summary>
public sealed class RtpPacket
{
    public const int Version = 2;
    public const int FixedHeaderSize = 12;
    public const int MaxCsrcCount = 15;

    private int _payloadType;
    private IReadOnlyList<uint> _csrcs = [];
    private byte[]? _extensionData;
    private int _paddingLength;

    public bool Marker { get; set; }

    /// <summary>The 7-bit payload type (0-127).</summary>
    public int PayloadType
    {
        get => _payloadType;
        set => _payloadType = value is >= 0 and <= 127
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "payload type is 7 bits");
    }

    public ushort SequenceNumber { get; set; }

    public uint Timestamp { get; set; }

    public uint Ssrc { get; set; }

    /// <summary>Contributing sources, at most 15.</summary>
    public IReadOnlyList<uint> Csrcs
    {
        get => _csrcs;
        set => _csrcs = value.Count <= MaxCsrcCount
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value.Count, "at most 15 CSRCs");
    }

    /// <summary>The 16-bit profile-defined field of the header extension; meaningful when <see cref="ExtensionData"/> is set.</summary>
    public ushort ExtensionProfile { get; set; }

    /// <summary>The header extension body (a multiple of 4 bytes), or null when the X bit is clear.</summary>
    public byte[]? ExtensionData
    {
        get => _extensionData;
        set => _extensionData = value is null || (value.Length % 4 == 0 && value.Length / 4 <= ushort.MaxValue)
            ? value
            : throw new ArgumentException("extension data must be a multiple of 4 bytes, at most 65535 words", nameof(value));
    }

    public bool HasExtension => _extensionData is not null;

    /// <summary>Number of padding bytes after the payload (0 = P bit clear; otherwise 1-255, the last one holding the count).</summary>
    public int PaddingLength
    {
        get => _paddingLength;
        set => _paddingLength = value is >= 0 and <= 255
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "padding is 0-255 bytes");
    }

    public byte[] Payload { get; set; } = [];

    public int Size => FixedHeaderSize + (4 * _csrcs.Count) + (_extensionData is null ? 0 : 4 + _extensionData.Length)
        + Payload.Length + _paddingLength;

    /// <summary>
    /// Parses one RTP packet. Returns false when the version is not 2, the packet is shorter than
    /// its header, CSRC list or extension say, or the padding count is 0 or longer than the payload.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out RtpPacket? packet)
    {
        packet = null;
        if (data.Length < FixedHeaderSize || data[0] >> 6 != Version)
        {
            return false;
        }

        bool hasPadding = (data[0] & 0x20) != 0;
        bool hasExtension = (data[0] & 0x10) != 0;
        int csrcCount = data[0] & 0x0F;
        int offset = FixedHeaderSize + (4 * csrcCount);
        if (data.Length < offset)
        {
            return false;
        }

        var csrcs = new uint[csrcCount];
        for (int i = 0; i < csrcCount; i++)
        {
            csrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(data[(FixedHeaderSize + (4 * i))..]);
        }

        ushort extensionProfile = 0;
        byte[]? extensionData = null;
        if (hasExtension)
        {
            if (data.Length < offset + 4)
            {
                return false;
            }

            extensionProfile = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            offset += 4;
            if (data.Length < offset + extensionLength)
            {
                return false;
            }

            extensionData = data.Slice(offset, extensionLength).ToArray();
            offset += extensionLength;
        }

        int end = data.Length;
        int paddingLength = 0;
        if (hasPadding)
        {
            paddingLength = data[^1];
            if (paddingLength == 0 || end - offset < paddingLength)
            {
                return false;
            }

            end -= paddingLength;
        }

        packet = new RtpPacket
        {
            Marker = (data[1] & 0x80) != 0,
            _payloadType = data[1] & 0x7F,
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            _csrcs = csrcs,
            ExtensionProfile = extensionProfile,
            _extensionData = extensionData,
            _paddingLength = paddingLength,
            Payload = data[offset..end].ToArray(),
        };
        return true;
    }

    /// <summary>Writes the packet into <paramref name="destination"/> and returns the number of bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int size = Size;
        if (destination.Length < size)
        {
            throw new ArgumentException($"destination needs {size} bytes", nameof(destination));
        }

        destination[0] = (byte)((Version << 6) | (_paddingLength > 0 ? 0x20 : 0) | (_extensionData is null ? 0 : 0x10) | _csrcs.Count);
        destination[1] = (byte)((Marker ? 0x80 : 0) | _payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        int offset = FixedHeaderSize;
        foreach (uint csrc in _csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }

        if (_extensionData is not null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], ExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(_extensionData.Length / 4));
            _extensionData.CopyTo(destination[(offset + 4)..]);
            offset += 4 + _extensionData.Length;
        }

        Payload.CopyTo(destination[offset..]);
        offset += Payload.Length;
        if (_paddingLength > 0)
        {
            destination.Slice(offset, _paddingLength - 1).Clear();
            destination[offset + _paddingLength - 1] = (byte)_paddingLength;
            offset += _paddingLength;
        }

        return offset;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }
}
