using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace CallCenter.WebRtc.Stun;

/// <summary>
/// Reads STUN messages (RFC 5389 section 6 and 15, RFC 8445 section 16.1) from untrusted datagrams.
/// Never throws: every malformed input comes back as a <see cref="StunParseFailure"/>.
/// </summary>
public static class StunParser
{
    /// <summary>Parses and checks FINGERPRINT when present; MESSAGE-INTEGRITY is left to the caller.</summary>
    public static StunParseResult Parse(ReadOnlySpan<byte> datagram) => ParseCore(datagram);

    /// <summary>Parses and also checks MESSAGE-INTEGRITY with <paramref name="integrityKey"/> when it is present.</summary>
    public static StunParseResult Parse(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> integrityKey)
    {
        var result = Parse(datagram);
        if (result.Message is { HasMessageIntegrity: true } message
            && result.Failure is StunParseFailure.None or StunParseFailure.UnknownComprehensionRequired
            && !message.VerifyMessageIntegrity(integrityKey))
        {
            return new StunParseResult(StunParseFailure.BadMessageIntegrity, message);
        }

        return result;
    }

    /// <summary>The cheap header test of RFC 5389 section 7.3: first two bits zero, magic cookie, length multiple of 4.</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram)
        => datagram.Length >= StunWire.HeaderLength
           && (datagram[0] & 0xC0) == 0
           && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunWire.MagicCookie
           && (BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) & 3) == 0;

    private static StunParseResult ParseCore(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < StunWire.HeaderLength)
        {
            return StunParseResult.Fail(StunParseFailure.Truncated);
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            return StunParseResult.Fail(StunParseFailure.NotStun);
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunWire.MagicCookie)
        {
            return StunParseResult.Fail(StunParseFailure.BadMagicCookie);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0)
        {
            return StunParseResult.Fail(StunParseFailure.BadMessageLength);
        }

        if (StunWire.HeaderLength + length > datagram.Length)
        {
            return StunParseResult.Fail(StunParseFailure.Truncated);
        }

        if (StunWire.HeaderLength + length < datagram.Length)
        {
            return StunParseResult.Fail(StunParseFailure.BadMessageLength);
        }

        var raw = datagram.ToArray();
        var (messageClass, method) = StunWire.DecodeMessageType(BinaryPrimitives.ReadUInt16BigEndian(raw));
        var attributes = new List<StunAttribute>();
        var seen = new HashSet<ushort>();
        var unknown = new List<ushort>();
        var message = new StunMessage(raw, messageClass, method, attributes);
        var afterIntegrity = false;

        var offset = StunWire.HeaderLength;
        while (offset < raw.Length)
        {
            if (message.HasFingerprint)
            {
                return StunParseResult.Fail(StunParseFailure.AttributeAfterFingerprint);
            }

            if (raw.Length - offset < StunWire.AttributeHeaderLength)
            {
                return StunParseResult.Fail(StunParseFailure.BadAttributeLength);
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(offset));
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(offset + 2));
            var valueStart = offset + StunWire.AttributeHeaderLength;
            if (valueStart + StunWire.Padded(valueLength) > raw.Length)
            {
                return StunParseResult.Fail(StunParseFailure.BadAttributeLength);
            }

            var value = raw.AsMemory(valueStart, valueLength);
            attributes.Add(new StunAttribute(type, value));

            if (type == StunAttributeType.Fingerprint)
            {
                if (valueLength != StunWire.FingerprintLength)
                {
                    return StunParseResult.Fail(StunParseFailure.BadAttributeValue);
                }

                var expected = StunIntegrity.Fingerprint(raw.AsSpan(0, offset));
                if (BinaryPrimitives.ReadUInt32BigEndian(value.Span) != expected)
                {
                    return StunParseResult.Fail(StunParseFailure.BadFingerprint);
                }

                message.HasFingerprint = true;
            }
            else if (!afterIntegrity && seen.Add(type))
            {
                // RFC 5389 section 15.4: attributes after MESSAGE-INTEGRITY (but FINGERPRINT) are ignored;
                // RFC 8489 section 14: only the first of a repeated attribute counts.
                if (type == StunAttributeType.MessageIntegrity)
                {
                    if (valueLength != StunWire.MessageIntegrityLength)
                    {
                        return StunParseResult.Fail(StunParseFailure.BadAttributeValue);
                    }

                    message.MessageIntegrityOffset = offset;
                    afterIntegrity = true;
                }
                else if (!Decode(message, type, value.Span))
                {
                    return StunParseResult.Fail(StunParseFailure.BadAttributeValue);
                }
                else if (StunAttributeType.IsComprehensionRequired(type)
                         && !StunAttributeType.IsKnownComprehensionRequired(type))
                {
                    unknown.Add(type);
                }
            }

            offset = valueStart + StunWire.Padded(valueLength);
        }

        if (unknown.Count > 0)
        {
            message.UnknownComprehensionRequired = unknown;
            return new StunParseResult(StunParseFailure.UnknownComprehensionRequired, message);
        }

        return new StunParseResult(StunParseFailure.None, message);
    }

    /// <summary>Decodes one attribute we understand into the message; false when its value is malformed.</summary>
    private static bool Decode(StunMessage message, ushort type, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case StunAttributeType.Username:
                // RFC 5389 section 15.3: fewer than 513 bytes.
                if (value.Length > 512 || !TryUtf8(value, out var username))
                {
                    return false;
                }

                message.Username = username;
                return true;
            case StunAttributeType.Software:
                if (value.Length > 763 || !TryUtf8(value, out var software))
                {
                    return false;
                }

                message.Software = software;
                return true;
            case StunAttributeType.Priority:
                if (value.Length != 4)
                {
                    return false;
                }

                message.Priority = BinaryPrimitives.ReadUInt32BigEndian(value);
                return true;
            case StunAttributeType.UseCandidate:
                message.UseCandidate = true;
                return value.Length == 0;
            case StunAttributeType.IceControlling:
                if (value.Length != 8)
                {
                    return false;
                }

                message.IceControlling = BinaryPrimitives.ReadUInt64BigEndian(value);
                return true;
            case StunAttributeType.IceControlled:
                if (value.Length != 8)
                {
                    return false;
                }

                message.IceControlled = BinaryPrimitives.ReadUInt64BigEndian(value);
                return true;
            case StunAttributeType.XorMappedAddress:
                message.XorMappedAddress = DecodeXorAddress(value, message.TransactionId.Span);
                return message.XorMappedAddress is not null;
            case StunAttributeType.ErrorCode:
                message.ErrorCode = DecodeErrorCode(value);
                return message.ErrorCode is not null;
            case StunAttributeType.UnknownAttributes:
                if ((value.Length & 1) != 0)
                {
                    return false;
                }

                var types = new ushort[value.Length / 2];
                for (var i = 0; i < types.Length; i++)
                {
                    types[i] = BinaryPrimitives.ReadUInt16BigEndian(value[(2 * i)..]);
                }

                message.UnknownAttributes = types;
                return true;
            default:
                return true;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool TryUtf8(ReadOnlySpan<byte> value, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(value);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 5389 section 15.2): port XOR the cookie's top half, address XOR cookie (+ transaction id for IPv6).</summary>
    internal static IPEndPoint? DecodeXorAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId)
    {
        if (value.Length < 4)
        {
            return null;
        }

        var family = value[1];
        var addressLength = family switch { 1 => 4, 2 => 16, _ => 0 };
        if (addressLength == 0 || value.Length != 4 + addressLength)
        {
            return null;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (ushort)(StunWire.MagicCookie >> 16);
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunWire.MagicCookie);
        transactionId.CopyTo(mask[4..]);
        Span<byte> address = stackalloc byte[addressLength];
        for (var i = 0; i < addressLength; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        return new IPEndPoint(new IPAddress(address), port);
    }

    private static StunErrorCode? DecodeErrorCode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4 || value.Length > 4 + 763)
        {
            return null;
        }

        var errorClass = value[2] & 0x07;
        var number = value[3];
        if (errorClass is < 3 or > 6 || number > 99 || !TryUtf8(value[4..], out var reason))
        {
            return null;
        }

        return new StunErrorCode((errorClass * 100) + number, reason);
    }
}
