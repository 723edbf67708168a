namespace CallCenter.WebRtc.Stun;

/// <summary>The four STUN message classes (RFC 5389 section 6), as the two class bits of the message type.</summary>
public enum StunClass
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

/// <summary>STUN methods we use; only Binding exists in RFC 5389 itself.</summary>
public static class StunMethod
{
    public const ushort Binding = 0x001;
}

/// <summary>
/// Attribute types: RFC 5389 section 18.2 and RFC 8445 section 16.1. Types below 0x8000 are
/// comprehension-required: a request carrying one we do not know is answered with 420.
/// </summary>
public static class StunAttributeType
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;

    /// <summary>The comprehension-required types this parser understands.</summary>
    public static bool IsKnownComprehensionRequired(ushort type) => type is MappedAddress or Username
        or MessageIntegrity or ErrorCode or UnknownAttributes or Realm or Nonce or XorMappedAddress
        or Priority or UseCandidate;
}

/// <summary>Fixed numbers of the STUN wire format (RFC 5389 sections 6 and 15).</summary>
public static class StunWire
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const int AttributeHeaderLength = 4;
    public const int MessageIntegrityLength = 20;
    public const int FingerprintLength = 4;

    /// <summary>XORed into the CRC-32 so FINGERPRINT differs from a CRC another protocol puts in the same place.</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>Message type bits: the 12-bit method is split around the two class bits (C1 at bit 8, C0 at bit 4).</summary>
    public static ushort EncodeMessageType(StunClass messageClass, ushort method)
    {
        var c = (int)messageClass;
        var type = (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
            | ((c & 1) << 4) | ((c & 2) << 7);
        return (ushort)type;
    }

    public static (StunClass Class, ushort Method) DecodeMessageType(ushort type)
    {
        var c = ((type >> 4) & 1) | ((type >> 7) & 2);
        var method = (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80);
        return ((StunClass)c, (ushort)method);
    }

    public static int Padded(int length) => (length + 3) & ~3;
}
