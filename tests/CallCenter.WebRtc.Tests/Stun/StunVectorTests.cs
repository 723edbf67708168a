using System.Net;
using System.Text;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Tests.Stun;

public sealed class StunVectorTests
{
    private static readonly byte[] Key = StunIntegrity.ShortTermKey(Rfc5769Vectors.ShortTermPassword);

    [Fact]
    public void Parse_SampleRequest_ReadsEveryAttributeAndChecksIntegrityAndFingerprint()
    {
        var result = StunParser.Parse(Rfc5769Vectors.Request, Key);

        Assert.Equal(StunParseFailure.None, result.Failure);
        var message = result.Message!;
        Assert.Equal(StunClass.Request, message.Class);
        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.True(message.IsBindingRequest);
        Assert.Equal(Rfc5769Vectors.TransactionId, message.TransactionId.ToArray());
        Assert.Equal(Rfc5769Vectors.RequestSoftware, message.Software);
        Assert.Equal(Rfc5769Vectors.RequestUsername, message.Username);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36ul, message.IceControlled);
        Assert.Null(message.IceControlling);
        Assert.False(message.UseCandidate);
        Assert.True(message.HasMessageIntegrity);
        Assert.True(message.HasFingerprint);
        Assert.True(message.VerifyMessageIntegrity(Key));
    }

    [Fact]
    public void Build_SampleRequest_ReproducesTheVectorByteForByte()
    {
        var built = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, Rfc5769Vectors.TransactionId) { PaddingByte = 0x20 }
            .AddSoftware(Rfc5769Vectors.RequestSoftware)
            .AddPriority(0x6e0001ff)
            .AddIceControlled(0x932ff9b151263b36)
            .AddUsername(Rfc5769Vectors.RequestUsername)
            .Build(Key, fingerprint: true);

        Assert.Equal(Rfc5769Vectors.Request, built);
    }

    [Fact]
    public void Parse_SampleIPv4Response_DecodesXorMappedAddress()
    {
        var result = StunParser.Parse(Rfc5769Vectors.ResponseIPv4, Key);

        Assert.Equal(StunParseFailure.None, result.Failure);
        var message = result.Message!;
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.Equal(Rfc5769Vectors.ResponseSoftware, message.Software);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), Rfc5769Vectors.MappedPort), message.XorMappedAddress);
        Assert.True(message.HasFingerprint);
    }

    [Fact]
    public void Build_SampleIPv4Response_ReproducesTheVectorByteForByte()
    {
        var built = new StunMessageBuilder(StunClass.SuccessResponse, StunMethod.Binding, Rfc5769Vectors.TransactionId) { PaddingByte = 0x20 }
            .AddSoftware(Rfc5769Vectors.ResponseSoftware)
            .AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), Rfc5769Vectors.MappedPort))
            .Build(Key);

        Assert.Equal(Rfc5769Vectors.ResponseIPv4, built);
    }

    [Fact]
    public void Parse_SampleIPv6Response_DecodesXorMappedAddress()
    {
        var result = StunParser.Parse(Rfc5769Vectors.ResponseIPv6, Key);

        Assert.Equal(StunParseFailure.None, result.Failure);
        Assert.Equal(
            new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), Rfc5769Vectors.MappedPort),
            result.Message!.XorMappedAddress);
    }

    [Fact]
    public void Build_SampleIPv6Response_ReproducesTheVectorByteForByte()
    {
        var built = new StunMessageBuilder(StunClass.SuccessResponse, StunMethod.Binding, Rfc5769Vectors.TransactionId) { PaddingByte = 0x20 }
            .AddSoftware(Rfc5769Vectors.ResponseSoftware)
            .AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), Rfc5769Vectors.MappedPort))
            .Build(Key);

        Assert.Equal(Rfc5769Vectors.ResponseIPv6, built);
    }

    [Fact]
    public void Parse_LongTermRequest_ChecksIntegrityWithTheMd5Key()
    {
        var key = StunIntegrity.LongTermKey(Rfc5769Vectors.LongTermUsername, Rfc5769Vectors.LongTermRealm, Rfc5769Vectors.LongTermPassword);

        var result = StunParser.Parse(Rfc5769Vectors.LongTermRequest, key);

        Assert.Equal(StunParseFailure.None, result.Failure);
        Assert.Equal(Rfc5769Vectors.LongTermUsername, result.Message!.Username);
        Assert.False(result.Message.HasFingerprint);
        var nonce = result.Message.Attributes.Single(a => a.Type == StunAttributeType.Nonce);
        Assert.Equal(Rfc5769Vectors.LongTermNonce, Encoding.UTF8.GetString(nonce.Value.Span));
    }

    [Fact]
    public void Parse_SampleRequestWithWrongPassword_ReportsBadIntegrity()
    {
        var result = StunParser.Parse(Rfc5769Vectors.Request, StunIntegrity.ShortTermKey("not-the-password-at-all"));

        Assert.Equal(StunParseFailure.BadMessageIntegrity, result.Failure);
        Assert.NotNull(result.Message);
    }

    [Fact]
    public void Parse_SampleRequestWithAFlippedBit_ReportsBadFingerprint()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[30] ^= 0x01; // inside SOFTWARE

        Assert.Equal(StunParseFailure.BadFingerprint, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_SampleRequestWithAlteredUsernameAndRecomputedFingerprint_ReportsBadIntegrity()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[64] = (byte)'X'; // first byte of USERNAME
        RewriteFingerprint(bytes);

        Assert.Equal(StunParseFailure.None, StunParser.Parse(bytes).Failure);
        Assert.Equal(StunParseFailure.BadMessageIntegrity, StunParser.Parse(bytes, Key).Failure);
    }

    internal static void RewriteFingerprint(byte[] message)
    {
        var offset = message.Length - 8;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(offset + 4), StunIntegrity.Fingerprint(message.AsSpan(0, offset)));
    }
}
