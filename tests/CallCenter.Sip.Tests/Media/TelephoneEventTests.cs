using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class TelephoneEventTests
{
    [Fact]
    public void Payload_DigitNineEnd_EncodesRfc4733Layout()
    {
        // RFC 4733 section 2.3: event 9, E=1, R=0, volume 10, duration 1280 (160 ms at 8 kHz).
        var payload = new TelephoneEventPayload(9, End: true, Volume: 10, Duration: 1280);

        Assert.Equal([0x09, 0x8A, 0x05, 0x00], payload.ToBytes());
        Assert.True(TelephoneEventPayload.TryParse([0x09, 0x8A, 0x05, 0x00], out TelephoneEventPayload parsed));
        Assert.Equal(payload, parsed);
        Assert.Equal('9', parsed.Digit);
    }

    [Fact]
    public void TryParse_ReservedBitSet_IsIgnored()
    {
        Assert.True(TelephoneEventPayload.TryParse([0x0B, 0x4F, 0x00, 0xA0], out TelephoneEventPayload parsed));

        Assert.Equal(new TelephoneEventPayload(11, false, 15, 160), parsed);
        Assert.Equal('#', parsed.Digit);
    }

    [Fact]
    public void TryParse_ShortPayload_ReturnsFalse()
    {
        Assert.False(TelephoneEventPayload.TryParse([0x01, 0x02, 0x03], out _));
    }

    [Fact]
    public void Digits_Events0To15_MapToDtmfKeys()
    {
        string mapped = new(Enumerable.Range(0, 16).Select(code => TelephoneEvents.ToDigit((byte)code)!.Value).ToArray());

        Assert.Equal("0123456789*#ABCD", mapped);
        Assert.Null(TelephoneEvents.ToDigit(TelephoneEvents.Flash));
        Assert.True(TelephoneEvents.TryGetEvent('d', out byte d));
        Assert.Equal(15, d);
        Assert.False(TelephoneEvents.TryGetEvent('E', out _));
    }

    [Fact]
    public void CreateDigit_100Milliseconds_ProducesGrowingDurationsAndThreeEndPackets()
    {
        var sender = new TelephoneEventSender(101, ssrc: 0x1234, firstSequenceNumber: 65534);

        IReadOnlyList<RtpPacket> packets = sender.CreateDigit('5', timestamp: 8000, durationSamples: 800, packetSamples: 160);

        Assert.Equal(7, packets.Count);
        Assert.All(packets, packet =>
        {
            Assert.Equal(101, packet.PayloadType);
            Assert.Equal(8000u, packet.Timestamp);
            Assert.Equal(0x1234u, packet.Ssrc);
        });
        Assert.Equal([true, false, false, false, false, false, false], packets.Select(packet => packet.Marker));
        Assert.Equal([65534, 65535, 0, 1, 2, 3, 4], packets.Select(packet => (int)packet.SequenceNumber));
        TelephoneEventPayload[] payloads = packets.Select(packet =>
        {
            Assert.True(TelephoneEventPayload.TryParse(packet.Payload, out TelephoneEventPayload payload));
            return payload;
        }).ToArray();
        Assert.All(payloads, payload => Assert.Equal(5, payload.Event));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], payloads.Select(payload => (int)payload.Duration));
        Assert.Equal([false, false, false, false, true, true, true], payloads.Select(payload => payload.End));
        Assert.Equal(5, sender.NextSequenceNumber);
    }

    [Fact]
    public void CreateDigit_ShorterThanOnePacket_SendsOnlyEndPacketsWithMarkerOnFirst()
    {
        var sender = new TelephoneEventSender(96, 1, 10);

        IReadOnlyList<RtpPacket> packets = sender.CreateDigit('#', 0, durationSamples: 100, packetSamples: 160);

        Assert.Equal(3, packets.Count);
        Assert.True(packets[0].Marker);
        Assert.False(packets[1].Marker);
    }

    [Fact]
    public void CreateDigit_InvalidInput_Throws()
    {
        var sender = new TelephoneEventSender(101, 1, 0);

        Assert.Throws<ArgumentException>(() => sender.CreateDigit('X', 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.CreateDigit('1', 0, durationSamples: 70000));
    }

    [Fact]
    public void Receiver_RedundantEndPackets_ReportsEachDigitOnce()
    {
        var sender = new TelephoneEventSender(101, 1, 0);
        var receiver = new TelephoneEventReceiver(101);
        var packets = new List<RtpPacket>();
        uint timestamp = 0;
        foreach (char digit in "1234#")
        {
            packets.AddRange(sender.CreateDigit(digit, timestamp));
            timestamp += 1600;
        }

        string reported = Receive(receiver, packets);

        Assert.Equal("1234#", reported);
    }

    [Fact]
    public void Receiver_ReorderedAndDuplicatedPackets_ReportsEachDigitOnce()
    {
        var sender = new TelephoneEventSender(101, 1, 0);
        var receiver = new TelephoneEventReceiver(101);
        List<RtpPacket> first = [.. sender.CreateDigit('7', 0)];
        List<RtpPacket> second = [.. sender.CreateDigit('7', 1600)];
        List<RtpPacket> third = [.. sender.CreateDigit('A', 3200)];

        // Start of '7' lost; its end packets arrive after the next event has begun, one duplicated.
        List<RtpPacket> arrival = [first[5], second[0], first[6], second[1], first[5], second[2], third[3], second[4], third[0], third[6]];

        string reported = Receive(receiver, arrival);

        Assert.Equal("77A", reported);
    }

    [Fact]
    public void Receiver_OtherPayloadType_IsIgnored()
    {
        var receiver = new TelephoneEventReceiver(101);
        var audio = new RtpPacket { PayloadType = 0, Payload = [0x01, 0x80, 0x00, 0xA0] };

        Assert.False(receiver.TryReceive(audio, out TelephoneEventDetection? detection));
        Assert.Null(detection);
    }

    private static string Receive(TelephoneEventReceiver receiver, IEnumerable<RtpPacket> packets)
    {
        var digits = new System.Text.StringBuilder();
        foreach (RtpPacket packet in packets)
        {
            // Through the wire format, as a real receiver would see it.
            Assert.True(RtpPacket.TryParse(packet.ToBytes(), out RtpPacket? parsed));
            if (receiver.TryReceive(parsed, out TelephoneEventDetection? detection))
            {
                digits.Append(detection.Digit);
            }
        }

        return digits.ToString();
    }
}
