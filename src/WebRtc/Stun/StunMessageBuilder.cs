using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CallCenter.WebRtc.Stun;

/// <summary>
/// Writes a STUN message: header, attributes padded to 4 bytes, then optionally MESSAGE-INTEGRITY and FINGERPRINT
/// (in that order, as RFC 5389 sections 15.4 and 15.5 require).
/// </summary>
public sealed class StunMessageBuilder
{
    private readonly StunClass _class;
    private readonly ushort _method;
    private readonly byte[] _transactionId;
    private readonly List<(ushort Type, byte[] Value)> _attributes = [];

    public StunMessageBuilder(StunClass messageClass, ushort method, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunWire.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id has 12 bytes.", nameof(transactionId));
        }

        _class = messageClass;
        _method = method;
        _transactionId = transactionId.ToArray();
    }

    /// <summary>The padding value; any is allowed (RFC 5389 section 15). RFC 5769's vectors use 0x20.</summary>
    public byte PaddingByte { get; init; }

    /// <summary>A success or error response answers with the request's method and transaction id.</summary>
    public static StunMessageBuilder ResponseTo(StunMessage request, bool success)
        => new(success ? StunClass.SuccessResponse : StunClass.ErrorResponse, request.Method, request.TransactionId.Span);

    public StunMessageBuilder Add(ushort type, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException("An attribute value is at most 65535 bytes.", nameof(value));
        }

        _attributes.Add((type, value.ToArray()));
        return this;
    }

    public StunMessageBuilder AddUsername(string username) => Add(StunAttributeType.Username, Encoding.UTF8.GetBytes(username));

    public StunMessageBuilder AddSoftware(string software) => Add(StunAttributeType.Software, Encoding.UTF8.GetBytes(software));

    public StunMessageBuilder AddPriority(uint priority)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, priority);
        return Add(StunAttributeType.Priority, value);
    }

    public StunMessageBuilder AddUseCandidate() => Add(StunAttributeType.UseCandidate, []);

    public StunMessageBuilder AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlling, tieBreaker);

    public StunMessageBuilder AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlled, tieBreaker);

    public StunMessageBuilder AddXorMappedAddress(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var addressBytes = address.GetAddressBytes();
        var value = new byte[4 + addressBytes.Length];
        value[1] = address.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endPoint.Port ^ (int)(StunWire.MagicCookie >> 16)));
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunWire.MagicCookie);
        _transactionId.CopyTo(mask[4..]);
        for (var i = 0; i < addressBytes.Length; i++)
        {
            value[4 + i] = (byte)(addressBytes[i] ^ mask[i]);
        }

        return Add(StunAttributeType.XorMappedAddress, value);
    }

    public StunMessageBuilder AddErrorCode(int code, string reason)
    {
        if (code is < 300 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "STUN error codes run from 300 to 699.");
        }

        var reasonBytes = Encoding.UTF8.GetBytes(reason);
        var value = new byte[4 + reasonBytes.Length];
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        reasonBytes.CopyTo(value, 4);
        return Add(StunAttributeType.ErrorCode, value);
    }

    public StunMessageBuilder AddUnknownAttributes(IReadOnlyList<ushort> types)
    {
        var value = new byte[types.Count * 2];
        for (var i = 0; i < types.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2 * i), types[i]);
        }

        return Add(StunAttributeType.UnknownAttributes, value);
    }

    /// <summary>
    /// The encoded message. With a non-empty <paramref name="integrityKey"/> MESSAGE-INTEGRITY is appended
    /// (see <see cref="StunIntegrity.ShortTermKey"/>); with <paramref name="fingerprint"/> FINGERPRINT comes last.
    /// </summary>
    public byte[] Build(ReadOnlySpan<byte> integrityKey = default, bool fingerprint = true)
    {
        var attributesLength = _attributes.Sum(a => StunWire.AttributeHeaderLength + StunWire.Padded(a.Value.Length));
        var total = StunWire.HeaderLength + attributesLength
            + (integrityKey.IsEmpty ? 0 : StunWire.AttributeHeaderLength + StunWire.MessageIntegrityLength)
            + (fingerprint ? StunWire.AttributeHeaderLength + StunWire.FingerprintLength : 0);
        if (total - StunWire.HeaderLength > ushort.MaxValue)
        {
            throw new InvalidOperationException("The attributes do not fit in one STUN message.");
        }

        var buffer = new byte[total];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, StunWire.EncodeMessageType(_class, _method));
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), StunWire.MagicCookie);
        _transactionId.CopyTo(buffer, 8);

        var offset = StunWire.HeaderLength;
        foreach (var (type, value) in _attributes)
        {
            offset = WriteAttribute(buffer, offset, type, value);
        }

        if (!integrityKey.IsEmpty)
        {
            // The HMAC is computed with the length as it stands once MESSAGE-INTEGRITY is in (section 15.4).
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), StunAttributeType.MessageIntegrity);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset + 2), StunWire.MessageIntegrityLength);
            StunIntegrity.Compute(integrityKey, buffer.AsSpan(0, offset), buffer.AsSpan(offset + StunWire.AttributeHeaderLength));
            offset += StunWire.AttributeHeaderLength + StunWire.MessageIntegrityLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(total - StunWire.HeaderLength));
        if (fingerprint)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), StunAttributeType.Fingerprint);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset + 2), StunWire.FingerprintLength);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset + 4), StunIntegrity.Fingerprint(buffer.AsSpan(0, offset)));
        }

        return buffer;
    }

    private StunMessageBuilder AddUInt64(ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Add(type, bytes);
    }

    private int WriteAttribute(byte[] buffer, int offset, ushort type, byte[] value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset + 2), (ushort)value.Length);
        value.CopyTo(buffer, offset + StunWire.AttributeHeaderLength);
        var end = offset + StunWire.AttributeHeaderLength + value.Length;
        var paddedEnd = offset + StunWire.AttributeHeaderLength + StunWire.Padded(value.Length);
        buffer.AsSpan(end, paddedEnd - end).Fill(PaddingByte);
        return paddedEnd;
    }
}
