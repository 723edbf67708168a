using System.Net;
using System.Security.Cryptography;

namespace CallCenter.WebRtc.Stun;

/// <summary>
/// A parsed STUN message. The attributes we understand are decoded once by <see cref="StunParser"/>;
/// the raw bytes are kept so MESSAGE-INTEGRITY can be checked later with whichever key the caller picks.
/// </summary>
public sealed class StunMessage
{
    private readonly byte[] _raw;

    internal StunMessage(byte[] raw, StunClass messageClass, ushort method, IReadOnlyList<StunAttribute> attributes)
    {
        _raw = raw;
        Class = messageClass;
        Method = method;
        Attributes = attributes;
    }

    public StunClass Class { get; }
    public ushort Method { get; }
    public ReadOnlyMemory<byte> TransactionId => _raw.AsMemory(8, StunWire.TransactionIdLength);

    /// <summary>Every attribute in wire order, including ones we do not understand and any after MESSAGE-INTEGRITY.</summary>
    public IReadOnlyList<StunAttribute> Attributes { get; }

    public string? Username { get; internal set; }
    public string? Software { get; internal set; }
    public uint? Priority { get; internal set; }
    public bool UseCandidate { get; internal set; }
    public ulong? IceControlling { get; internal set; }
    public ulong? IceControlled { get; internal set; }
    public IPEndPoint? XorMappedAddress { get; internal set; }
    public StunErrorCode? ErrorCode { get; internal set; }
    public IReadOnlyList<ushort>? UnknownAttributes { get; internal set; }

    /// <summary>Comprehension-required attribute types the parser did not know (for a 420 answer).</summary>
    public IReadOnlyList<ushort> UnknownComprehensionRequired { get; internal set; } = [];

    public bool HasMessageIntegrity => MessageIntegrityOffset >= 0;

    /// <summary>True when a FINGERPRINT was present; the parser has already checked it.</summary>
    public bool HasFingerprint { get; internal set; }

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute header in the raw message, or -1.</summary>
    internal int MessageIntegrityOffset { get; set; } = -1;

    public bool IsBindingRequest => Class == StunClass.Request && Method == StunMethod.Binding;

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (RFC 5389 section 15.4) with a short-term credential key (the password's UTF-8 bytes).
    /// The HMAC covers the message up to the attribute, with the header length rewritten as if the message ended
    /// right after MESSAGE-INTEGRITY. False when there is no MESSAGE-INTEGRITY.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (!HasMessageIntegrity)
        {
            return false;
        }

        var offset = MessageIntegrityOffset;
        Span<byte> expected = stackalloc byte[StunWire.MessageIntegrityLength];
        StunIntegrity.Compute(key, _raw.AsSpan(0, offset), expected);
        var actual = _raw.AsSpan(offset + StunWire.AttributeHeaderLength, StunWire.MessageIntegrityLength);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
