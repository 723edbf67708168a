using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Tests.Stun;

public sealed class PacketClassifierTests
{
    [Theory]
    [InlineData(0, PacketKind.Stun)]
    [InlineData(3, PacketKind.Stun)]
    [InlineData(4, PacketKind.Unknown)]
    [InlineData(16, PacketKind.Zrtp)]
    [InlineData(20, PacketKind.Dtls)] // change_cipher_spec
    [InlineData(22, PacketKind.Dtls)] // handshake
    [InlineData(23, PacketKind.Dtls)] // application_data
    [InlineData(63, PacketKind.Dtls)]
    [InlineData(64, PacketKind.TurnChannel)]
    [InlineData(79, PacketKind.TurnChannel)]
    [InlineData(80, PacketKind.Unknown)]
    [InlineData(127, PacketKind.Unknown)]
    [InlineData(128, PacketKind.RtpOrRtcp)] // RTP version 2
    [InlineData(191, PacketKind.RtpOrRtcp)]
    [InlineData(192, PacketKind.Unknown)]
    [InlineData(255, PacketKind.Unknown)]
    public void Classify_FirstByte_FollowsRfc7983(int firstByte, PacketKind expected)
        => Assert.Equal(expected, PacketClassifier.Classify([(byte)firstByte, 0, 0, 0]));

    [Fact]
    public void Classify_Empty_IsUnknown() => Assert.Equal(PacketKind.Unknown, PacketClassifier.Classify([]));

    [Fact]
    public void Classify_Rfc5769Request_IsStun()
    {
        Assert.Equal(PacketKind.Stun, PacketClassifier.Classify(Rfc5769Vectors.Request));
        Assert.True(StunParser.LooksLikeStun(Rfc5769Vectors.Request));
    }
}
