using System.Buffers.Binary;

namespace CallCenter.WebRtc.Tests.Srtp;

internal static class SrtpTestPackets
{
    public static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    public static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    /// <summary>An RTP packet with room after it for the tag; CSRCs and a header extension when asked.</summary>
    public static byte[] Rtp(ushort sequence, uint ssrc, int payloadLength, int csrcCount = 0, int extensionWords = -1, int room = 16)
    {
        var headerLength = 12 + 4 * csrcCount + (extensionWords >= 0 ? 4 + 4 * extensionWords : 0);
        var packet = new byte[headerLength + payloadLength + room];
        packet[0] = (byte)(0x80 | csrcCount | (extensionWords >= 0 ? 0x10 : 0));
        packet[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)sequence * 160);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (var i = 12; i < headerLength; i++)
        {
            packet[i] = (byte)(i * 7);
        }

        if (extensionWords >= 0)
        {
            var at = 12 + 4 * csrcCount;
            packet[at] = 0xBE;
            packet[at + 1] = 0xDE;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at + 2), (ushort)extensionWords);
        }

        for (var i = 0; i < payloadLength; i++)
        {
            packet[headerLength + i] = (byte)(sequence + i);
        }

        return packet;
    }

    public static int RtpLength(byte[] packet, int room = 16) => packet.Length - room;

    /// <summary>An RTCP receiver report of the given SSRC with some report bytes after it, with room for the index and tag.</summary>
    public static byte[] Rtcp(uint ssrc, int bodyLength, int room = 20)
    {
        var packet = new byte[8 + bodyLength + room];
        packet[0] = 0x81;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)((8 + bodyLength) / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        for (var i = 0; i < bodyLength; i++)
        {
            packet[8 + i] = (byte)(i * 13 + 1);
        }

        return packet;
    }
}
