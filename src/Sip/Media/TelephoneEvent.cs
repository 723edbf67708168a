using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace CallCenter.Sip.Media;

/// <summary>
/// The 4-byte RFC 4733 named telephone event payload (section 2.3): event code, E (end) bit,
/// R bit (reserved, sent as 0), 6-bit volume in -dBm0 and a 16-bit duration in timestamp units.
/// </summary>
public readonly record struct TelephoneEventPayload(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int Size = 4;

    /// <summary>The DTMF character for events 0-15 (0-9, *, #, A-D), or null for other events (16 = flash...).</summary>
    public char? Digit => TelephoneEvents.ToDigit(Event);

    public static bool TryParse(ReadOnlySpan<byte> data, out TelephoneEventPayload payload)
    {
        // Several events may follow each other (RFC 4733 section 2.5.1.5); the first one is read.
        if (data.Length < Size)
        {
            payload = default;
            return false;
        }

        payload = new TelephoneEventPayload(data[0], (data[1] & 0x80) != 0, (byte)(data[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        if (Volume > 63)
        {
            throw new InvalidOperationException("volume is 6 bits (0-63 -dBm0)");
        }

        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }
}

/// <summary>The DTMF event codes of RFC 4733 section 3.2.</summary>
public static class TelephoneEvents
{
    public const string Digits = "0123456789*#ABCD";

    /// <summary>Event 16, hook flash.</summary>
    public const byte Flash = 16;

    public static char? ToDigit(byte eventCode) => eventCode < Digits.Length ? Digits[eventCode] : null;

    public static bool TryGetEvent(char digit, out byte eventCode)
    {
        int index = Digits.IndexOf(char.ToUpperInvariant(digit), StringComparison.Ordinal);
        eventCode = (byte)Math.Max(index, 0);
        return index >= 0;
    }
}

/// <summary>
/// Produces the RTP packets of one RFC 4733 event (section 2.5.1): every packet carries the event's
/// start timestamp, the first one has the marker bit, the duration grows by one packet interval each
/// time, and the final packet (E bit set) is sent three times. Sequence numbers continue from
/// <see cref="NextSequenceNumber"/>, which the caller shares with its audio stream.
/// </summary>
public sealed class TelephoneEventSender
{
    public const int EndPacketCount = 3;

    public TelephoneEventSender(int payloadType, uint ssrc, ushort firstSequenceNumber)
    {
        if (payloadType is < 0 or > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType));
        }

        PayloadType = payloadType;
        Ssrc = ssrc;
        NextSequenceNumber = firstSequenceNumber;
    }

    public int PayloadType { get; }

    public uint Ssrc { get; }

    public ushort NextSequenceNumber { get; set; }

    /// <summary>Volume in -dBm0 written in every packet (RFC 4733 asks for 0-63; 10 is a typical DTMF level).</summary>
    public byte Volume { get; init; } = 10;

    /// <summary>
    /// The packets for one digit starting at <paramref name="timestamp"/>. <paramref name="durationSamples"/>
    /// is the tone length in timestamp units (800 = 100 ms at 8 kHz) and <paramref name="packetSamples"/> the
    /// packet interval (160 = 20 ms). Durations above 65535 units (long-event segmentation) are not supported.
    /// </summary>
    public IReadOnlyList<RtpPacket> CreateDigit(char digit, uint timestamp, int durationSamples = 800, int packetSamples = 160)
    {
        if (!TelephoneEvents.TryGetEvent(digit, out byte eventCode))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D)", nameof(digit));
        }

        return CreateEvent(eventCode, timestamp, durationSamples, packetSamples);
    }

    public IReadOnlyList<RtpPacket> CreateEvent(byte eventCode, uint timestamp, int durationSamples, int packetSamples)
    {
        if (durationSamples is <= 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(durationSamples), durationSamples, "duration must be 1-65535 timestamp units");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetSamples);
        var packets = new List<RtpPacket>();
        for (int duration = packetSamples; duration < durationSamples; duration += packetSamples)
        {
            packets.Add(CreatePacket(eventCode, timestamp, (ushort)duration, end: false, marker: packets.Count == 0));
        }

        for (int i = 0; i < EndPacketCount; i++)
        {
            packets.Add(CreatePacket(eventCode, timestamp, (ushort)durationSamples, end: true, marker: packets.Count == 0));
        }

        return packets;
    }

    private RtpPacket CreatePacket(byte eventCode, uint timestamp, ushort duration, bool end, bool marker) =>
        new()
        {
            Marker = marker,
            PayloadType = PayloadType,
            SequenceNumber = NextSequenceNumber++,
            Timestamp = timestamp,
            Ssrc = Ssrc,
            Payload = new TelephoneEventPayload(eventCode, end, Volume, duration).ToBytes(),
        };
}

/// <summary>A telephone event the receiver reported: its code, digit and RTP start timestamp.</summary>
public sealed record TelephoneEventDetection(byte Event, char? Digit, uint Timestamp, ushort Duration, bool Ended);

/// <summary>
/// Turns received RFC 4733 packets into events, each reported exactly once. An event is identified
/// by its RTP timestamp (section 2.5.2.2), so the redundant end packets, retransmitted updates and
/// reordered packets of an event already reported are ignored, whichever of them arrives first.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private const int HistorySize = 32;
    private readonly Queue<uint> _history = new();
    private readonly HashSet<uint> _seen = [];

    public TelephoneEventReceiver(int payloadType)
    {
        PayloadType = payloadType;
    }

    public int PayloadType { get; }

    /// <summary>Returns true and the event the first time any packet of a new event arrives; false otherwise.</summary>
    public bool TryReceive(RtpPacket packet, [NotNullWhen(true)] out TelephoneEventDetection? detection)
    {
        detection = null;
        if (packet.PayloadType != PayloadType || !TelephoneEventPayload.TryParse(packet.Payload, out TelephoneEventPayload payload))
        {
            return false;
        }

        if (!_seen.Add(packet.Timestamp))
        {
            return false;
        }

        _history.Enqueue(packet.Timestamp);
        if (_history.Count > HistorySize)
        {
            _seen.Remove(_history.Dequeue());
        }

        detection = new TelephoneEventDetection(payload.Event, payload.Digit, packet.Timestamp, payload.Duration, payload.End);
        return true;
    }
}
