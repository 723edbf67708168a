using System.Buffers.Binary;
using CallCenter.WebRtc.Srtp;

namespace CallCenter.WebRtc.Tests.Srtp;

public sealed class SrtpSessionTests
{
    private const uint Ssrc = 0x1234_5678;

    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32 };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void UnprotectRtp_OfProtectedPacketsOfManySizes_GivesEachPacketBack(SrtpProfile profile)
    {
        using var sender = Session(profile);
        using var receiver = Session(profile);
        ushort sequence = 100;
        foreach (var (csrcs, extension) in new[] { (0, -1), (2, -1), (0, 0), (1, 3) })
        {
            for (var payload = 0; payload <= 1200; payload += payload < 40 ? 1 : 37)
            {
                var packet = SrtpTestPackets.Rtp(sequence++, Ssrc, payload, csrcs, extension);
                var plain = packet.ToArray();
                var length = SrtpTestPackets.RtpLength(packet);

                Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, length, out var protectedLength));
                Assert.Equal(length + profile.RtpTagLength(), protectedLength);
                if (payload >= 4)
                {
                    Assert.NotEqual(plain.AsSpan(length - 4, 4).ToArray(), packet.AsSpan(length - 4, 4).ToArray());
                }

                Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, protectedLength, out var plainLength));
                Assert.Equal(length, plainLength);
                Assert.Equal(plain[..length], packet[..length]);
            }
        }
    }

    [Fact]
    public void UnprotectRtcp_OfProtectedPacketsOfManySizes_GivesEachPacketBack()
    {
        using var sender = Session();
        using var receiver = Session();
        for (var body = 0; body <= 1200; body += 4)
        {
            var packet = SrtpTestPackets.Rtcp(Ssrc, body);
            var plain = packet.ToArray();
            var length = 8 + body;

            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(packet, length, out var protectedLength));
            Assert.Equal(length + 14, protectedLength);
            Assert.Equal(0x80u, packet[length] & 0x80u); // E flag
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, protectedLength, out var plainLength));
            Assert.Equal(length, plainLength);
            Assert.Equal(plain[..length], packet[..length]);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void UnprotectRtp_WithAnyByteChanged_IsBadTag(SrtpProfile profile)
    {
        using var sender = Session(profile);
        var packet = SrtpTestPackets.Rtp(7, Ssrc, 160, csrcCount: 1, extensionWords: 1);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, SrtpTestPackets.RtpLength(packet), out var length));

        // Every byte after the first (which holds the version and the header shape) in header, payload and tag.
        for (var at = 1; at < length; at++)
        {
            using var receiver = Session(profile);
            var tampered = packet.ToArray();
            tampered[at] ^= 0x01;

            var status = receiver.UnprotectRtp(tampered, length, out _);

            // A changed extension length can make the header run past the packet: refused before the tag is checked.
            Assert.True(status is SrtpStatus.BadTag or SrtpStatus.TooShort, $"byte {at}: {status}");
        }
    }

    [Fact]
    public void UnprotectRtcp_WithAnyByteChanged_IsRefused()
    {
        using var sender = Session();
        var packet = SrtpTestPackets.Rtcp(Ssrc, 40);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(packet, 48, out var length));

        for (var at = 1; at < length; at++)
        {
            using var receiver = Session();
            var tampered = packet.ToArray();
            tampered[at] ^= 0x01;

            Assert.Equal(SrtpStatus.BadTag, receiver.UnprotectRtcp(tampered, length, out _));
        }
    }

    [Fact]
    public void UnprotectRtp_WithAnotherKey_IsBadTagAndMakesNoStream()
    {
        using var sender = Session();
        using var receiver = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, new byte[16], new byte[14], maxStreams: 1);
        var packet = SrtpTestPackets.Rtp(1, Ssrc, 160);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, SrtpTestPackets.RtpLength(packet), out var length));

        Assert.Equal(SrtpStatus.BadTag, receiver.UnprotectRtp(packet, length, out _));
        using var sameKeySender = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, new byte[16], new byte[14]);
        var other = SrtpTestPackets.Rtp(1, Ssrc + 1, 160);
        Assert.Equal(SrtpStatus.Ok, sameKeySender.ProtectRtp(other, SrtpTestPackets.RtpLength(other), out length));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(other, length, out _)); // the one stream slot was not taken by the forgery
    }

    [Fact]
    public void UnprotectRtp_SamePacketTwice_IsReplayed()
    {
        using var sender = Session();
        using var receiver = Session();
        var packet = Protected(sender, 10);

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet.ToArray(), packet.Length, out _));
        Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtp(packet.ToArray(), packet.Length, out _));
    }

    [Fact]
    public void UnprotectRtp_LateButInsideTheWindow_IsAcceptedOnceAndTooOldOutsideIt()
    {
        using var sender = Session();
        using var receiver = Session();
        var packets = Enumerable.Range(0, 200).Select(i => Protected(sender, (ushort)(1000 + i))).ToArray();
        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[0]));
        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[150]));

        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[100]));      // 50 behind: late, in the window
        Assert.Equal(SrtpStatus.Replayed, Unprotect(receiver, packets[100]));
        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[87]));       // 63 behind: the window's last slot
        Assert.Equal(SrtpStatus.TooOld, Unprotect(receiver, packets[86]));   // 64 behind
        Assert.Equal(SrtpStatus.TooOld, Unprotect(receiver, packets[1]));
        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[199]));
        Assert.Equal(SrtpStatus.Ok, Unprotect(receiver, packets[151]));
    }

    [Fact]
    public void ProtectAndUnprotectRtp_AcrossTheSequenceWrap_StepTheRolloverCounter()
    {
        using var sender = Session();
        using var receiver = Session();
        var checkedPackets = 0;

        for (var i = 0; i < 70_000; i++)
        {
            var sequence = (ushort)(65_000 + i);
            var packet = SrtpTestPackets.Rtp(sequence, Ssrc, 20);
            var plain = packet.ToArray();
            var length = SrtpTestPackets.RtpLength(packet);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, length, out var protectedLength));
            if (sequence is 65_535 or 0 or 1)
            {
                // Two wraps in the run: the ROC is the count of wraps before this packet (0, 1, 2).
                var rolloverCounter = (uint)((65_000 + i) >> 16);
                Assert.Equal(ReferenceProtect(plain, length, rolloverCounter), packet[..protectedLength]);
                checkedPackets++;
            }

            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, protectedLength, out _));
            Assert.Equal(plain[..length], packet[..length]);
        }

        Assert.Equal(6, checkedPackets);
    }

    [Fact]
    public void UnprotectRtp_ReorderedAroundTheWrap_IsAcceptedWithTheRightRolloverCounter()
    {
        using var sender = Session();
        using var receiver = Session();
        var sequences = new ushort[] { 65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1, 2, 3 };
        var packets = sequences.ToDictionary(s => s, s => Protected(sender, s));

        // Across the wrap and back: 0 and 1 come before 65534 and 65535, which belong to the previous ROC.
        foreach (var sequence in new ushort[] { 65_530, 65_532, 0, 65_531, 1, 65_534, 65_535, 3, 65_533, 2 })
        {
            var packet = packets[sequence].ToArray();
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, packet.Length, out var plainLength));
            Assert.Equal(sequence, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
            Assert.Equal(SrtpTestPackets.Rtp(sequence, Ssrc, 20)[..plainLength], packet[..plainLength]);
        }

        Assert.Equal(SrtpStatus.Replayed, Unprotect(receiver, packets[65_535]));
        Assert.Equal(SrtpStatus.Replayed, Unprotect(receiver, packets[0]));
    }

    [Fact]
    public void UnprotectRtp_StreamsOfTwoSsrcs_HaveTheirOwnWindows()
    {
        using var sender = Session();
        using var receiver = Session();
        var first = SrtpTestPackets.Rtp(5, 1, 40);
        var second = SrtpTestPackets.Rtp(5, 2, 40);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(first, SrtpTestPackets.RtpLength(first), out var length));
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(second, SrtpTestPackets.RtpLength(second), out _));

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(first, length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(second, length, out _));
    }

    [Fact]
    public void UnprotectRtp_MoreSsrcsThanAllowed_IsTooManySsrcs()
    {
        using var sender = Session();
        using var receiver = new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt, maxStreams: 2);

        for (uint ssrc = 1; ssrc <= 3; ssrc++)
        {
            var packet = SrtpTestPackets.Rtp(1, ssrc, 40);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, SrtpTestPackets.RtpLength(packet), out var length));
            Assert.Equal(ssrc <= 2 ? SrtpStatus.Ok : SrtpStatus.TooManySsrcs, receiver.UnprotectRtp(packet, length, out _));
        }
    }

    [Fact]
    public void UnprotectRtcp_ReplayedLateAndTooOld_AreTold()
    {
        using var sender = Session();
        using var receiver = Session();
        var packets = Enumerable.Range(0, 100).Select(_ =>
        {
            var packet = SrtpTestPackets.Rtcp(Ssrc, 24);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(packet, 32, out var length));
            return packet[..length];
        }).ToArray();

        Assert.Equal(SrtpStatus.Ok, UnprotectRtcp(receiver, packets[90]));
        Assert.Equal(SrtpStatus.Replayed, UnprotectRtcp(receiver, packets[90]));
        Assert.Equal(SrtpStatus.Ok, UnprotectRtcp(receiver, packets[40]));
        Assert.Equal(SrtpStatus.Replayed, UnprotectRtcp(receiver, packets[40]));
        Assert.Equal(SrtpStatus.TooOld, UnprotectRtcp(receiver, packets[20]));
        Assert.Equal(SrtpStatus.Ok, UnprotectRtcp(receiver, packets[99]));
    }

    [Fact]
    public void UnprotectRtcp_WithTheEncryptedFlagClear_AuthenticatesAndLeavesThePacketInClear()
    {
        // RFC 3711 section 3.4: E = 0 means the packet was only authenticated. Build one by hand with the session's tag.
        var keys = SrtpKeyDerivation.Derive(SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var packet = SrtpTestPackets.Rtcp(Ssrc, 16);
        var plain = packet[..24];
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(24), 7); // E = 0, index 7
        var tag = System.Security.Cryptography.HMACSHA1.HashData(keys.RtcpAuthenticationKey, packet.AsSpan(0, 28));
        tag.AsSpan(0, 10).CopyTo(packet.AsSpan(28));
        using var receiver = Session();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, 38, out var length));
        Assert.Equal(plain, packet[..length]);
    }

    [Fact]
    public void Protect_WithoutRoomForTheTag_IsBufferTooSmall()
    {
        using var sender = Session();
        var rtp = SrtpTestPackets.Rtp(1, Ssrc, 20, room: 9);
        var rtcp = SrtpTestPackets.Rtcp(Ssrc, 20, room: 13);

        Assert.Equal(SrtpStatus.BufferTooSmall, sender.ProtectRtp(rtp, rtp.Length - 9, out _));
        Assert.Equal(SrtpStatus.BufferTooSmall, sender.ProtectRtcp(rtcp, rtcp.Length - 13, out _));
    }

    [Fact]
    public void Unprotect_ShortOrNotVersion2_SaysSo()
    {
        using var receiver = Session();
        var rtp = SrtpTestPackets.Rtp(1, Ssrc, 20);
        rtp[0] = 0x40;

        Assert.Equal(SrtpStatus.TooShort, receiver.UnprotectRtp(new byte[21], 21, out _));
        Assert.Equal(SrtpStatus.NotVersion2, receiver.UnprotectRtp(rtp, 42, out _));
        Assert.Equal(SrtpStatus.TooShort, receiver.UnprotectRtcp(new byte[21], 21, out _));
        Assert.Equal(SrtpStatus.TooShort, receiver.UnprotectRtp(new byte[10], 11, out _));
    }

    private static SrtpSession Session(SrtpProfile profile = SrtpProfile.AesCm128HmacSha1_80) =>
        new(profile, SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);

    private static byte[] Protected(SrtpSession sender, ushort sequence)
    {
        var packet = SrtpTestPackets.Rtp(sequence, Ssrc, 20);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, SrtpTestPackets.RtpLength(packet), out var length));
        return packet[..length];
    }

    private static SrtpStatus Unprotect(SrtpSession receiver, byte[] packet) => receiver.UnprotectRtp(packet.ToArray(), packet.Length, out _);

    private static SrtpStatus UnprotectRtcp(SrtpSession receiver, byte[] packet) => receiver.UnprotectRtcp(packet.ToArray(), packet.Length, out _);

    /// <summary>
    /// SRTP of one packet with the ROC given, written out from RFC 3711 sections 3.3, 4.1.1 and 4.2 with .NET's HMACSHA1
    /// (the keystream from <see cref="AesCounterMode"/>, which the appendix B.2 vector checks): what the sender should send.
    /// </summary>
    private static byte[] ReferenceProtect(byte[] plain, int length, uint rolloverCounter)
    {
        var keys = SrtpKeyDerivation.Derive(SrtpTestPackets.MasterKey, SrtpTestPackets.MasterSalt);
        var packet = plain[..length];
        var iv = new byte[16];
        keys.RtpSalt.CopyTo(iv, 0);
        var ssrc = packet.AsSpan(8, 4);
        for (var i = 0; i < 4; i++)
        {
            iv[4 + i] ^= ssrc[i];
        }

        var index = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(index, ((ulong)rolloverCounter << 16) | BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        for (var i = 0; i < 6; i++)
        {
            iv[8 + i] ^= index[2 + i];
        }

        using var cipher = new AesCounterMode(keys.RtpEncryptionKey);
        cipher.Apply(iv, packet.AsSpan(12));
        var roc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        var tag = System.Security.Cryptography.HMACSHA1.HashData(keys.RtpAuthenticationKey, packet.Concat(roc).ToArray());
        return [.. packet, .. tag.AsSpan(0, 10)];
    }
}
