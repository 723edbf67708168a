using System.Buffers.Binary;
using System.Net;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Tests.Stun;

public sealed class StunParserTests
{
    private static readonly byte[] TransactionId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Fact]
    public void Parse_ShorterThanHeader_IsTruncated()
        => Assert.Equal(StunParseFailure.Truncated, StunParser.Parse(Rfc5769Vectors.Request.AsSpan(0, 19)).Failure);

    [Fact]
    public void Parse_ShorterThanTheAnnouncedLength_IsTruncated()
        => Assert.Equal(StunParseFailure.Truncated, StunParser.Parse(Rfc5769Vectors.Request.AsSpan(0, 100)).Failure);

    [Fact]
    public void Parse_TopBitsSet_IsNotStun()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[0] = 0x80;

        Assert.Equal(StunParseFailure.NotStun, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_WrongMagicCookie_IsBadCookie()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[4] = 0x22;

        Assert.Equal(StunParseFailure.BadMagicCookie, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_LengthNotMultipleOfFour_IsBadLength()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[3] = 0x57;

        Assert.Equal(StunParseFailure.BadMessageLength, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_TrailingBytesAfterTheMessage_IsBadLength()
        => Assert.Equal(StunParseFailure.BadMessageLength, StunParser.Parse([.. Rfc5769Vectors.Request, 0, 0, 0, 0]).Failure);

    [Fact]
    public void Parse_AttributeRunningPastTheEnd_IsBadAttributeLength()
    {
        var bytes = Rfc5769Vectors.Request;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(22), 0x0100); // SOFTWARE claims 256 bytes

        Assert.Equal(StunParseFailure.BadAttributeLength, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_PriorityOfWrongSize_IsBadAttributeValue()
    {
        var bytes = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, TransactionId)
            .Add(StunAttributeType.Priority, [1, 2]).Build();

        Assert.Equal(StunParseFailure.BadAttributeValue, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_XorAddressOfUnknownFamily_IsBadAttributeValue()
    {
        var bytes = new StunMessageBuilder(StunClass.SuccessResponse, StunMethod.Binding, TransactionId)
            .Add(StunAttributeType.XorMappedAddress, [0, 3, 0, 0, 1, 2, 3, 4]).Build();

        Assert.Equal(StunParseFailure.BadAttributeValue, StunParser.Parse(bytes).Failure);
    }

    [Fact]
    public void Parse_AttributeAfterFingerprint_IsRejected()
    {
        var bytes = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, TransactionId).Build();
        byte[] extended = [.. bytes, 0x80, 0x22, 0x00, 0x00];
        BinaryPrimitives.WriteUInt16BigEndian(extended.AsSpan(2), (ushort)(extended.Length - StunWire.HeaderLength));
        var fingerprintOffset = bytes.Length - 8;
        BinaryPrimitives.WriteUInt32BigEndian(extended.AsSpan(fingerprintOffset + 4), StunIntegrity.Fingerprint(extended.AsSpan(0, fingerprintOffset)));

        Assert.Equal(StunParseFailure.AttributeAfterFingerprint, StunParser.Parse(extended).Failure);
    }

    [Fact]
    public void Parse_UnknownComprehensionRequired_ReturnsTheMessageAndTheTypes()
    {
        var bytes = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, TransactionId)
            .Add(0x0777, [9]).Add(0x8777, [9]).Build();

        var result = StunParser.Parse(bytes);

        Assert.Equal(StunParseFailure.UnknownComprehensionRequired, result.Failure);
        Assert.Equal([(ushort)0x0777], result.Message!.UnknownComprehensionRequired);
    }

    [Fact]
    public void Parse_AttributesAfterMessageIntegrity_AreIgnoredButKept()
    {
        var key = StunIntegrity.ShortTermKey("somepasswordsomepassword");
        var signed = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, TransactionId).AddUsername("a:b").Build(key, fingerprint: false);
        byte[] extended = [.. signed, 0x00, 0x24, 0x00, 0x04, 0, 0, 0, 7];
        BinaryPrimitives.WriteUInt16BigEndian(extended.AsSpan(2), (ushort)(extended.Length - StunWire.HeaderLength));

        var result = StunParser.Parse(extended, key);

        Assert.Equal(StunParseFailure.None, result.Failure);
        Assert.Null(result.Message!.Priority);
        Assert.Equal("a:b", result.Message.Username);
    }

    [Fact]
    public void BuildAndParse_ErrorResponse_RoundTripsCodeReasonAndUnknownAttributes()
    {
        var bytes = new StunMessageBuilder(StunClass.ErrorResponse, StunMethod.Binding, TransactionId)
            .AddErrorCode(420, "Unknown Attribute").AddUnknownAttributes([0x0777, 0x0778, 0x0779]).Build();

        var message = StunParser.Parse(bytes).Message!;

        Assert.Equal(StunClass.ErrorResponse, message.Class);
        Assert.Equal(new StunErrorCode(420, "Unknown Attribute"), message.ErrorCode);
        Assert.Equal([(ushort)0x0777, 0x0778, 0x0779], message.UnknownAttributes);
    }

    [Fact]
    public void BuildAndParse_IceAttributes_RoundTrip()
    {
        var bytes = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, TransactionId)
            .AddPriority(0x7effffff).AddUseCandidate().AddIceControlling(0xfedcba9876543210).Build();

        var message = StunParser.Parse(bytes).Message!;

        Assert.Equal(0x7effffffu, message.Priority);
        Assert.True(message.UseCandidate);
        Assert.Equal(0xfedcba9876543210ul, message.IceControlling);
    }

    [Fact]
    public void BuildAndParse_IPv4MappedIPv6Source_IsWrittenAsIPv4()
    {
        var source = new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 4000);
        var bytes = new StunMessageBuilder(StunClass.SuccessResponse, StunMethod.Binding, TransactionId).AddXorMappedAddress(source).Build();

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 4000), StunParser.Parse(bytes).Message!.XorMappedAddress);
    }

    [Theory]
    [InlineData(StunClass.Request, 0x0001)]
    [InlineData(StunClass.Indication, 0x0011)]
    [InlineData(StunClass.SuccessResponse, 0x0101)]
    [InlineData(StunClass.ErrorResponse, 0x0111)]
    public void MessageType_Binding_EncodesAsRfc5389Section6Says(StunClass messageClass, int expected)
    {
        Assert.Equal(expected, StunWire.EncodeMessageType(messageClass, StunMethod.Binding));
        Assert.Equal((messageClass, StunMethod.Binding), StunWire.DecodeMessageType((ushort)expected));
    }

    [Fact]
    public void MessageType_EveryMethodAndClass_RoundTrips()
    {
        for (ushort method = 0; method < 0x1000; method++)
        {
            foreach (var messageClass in Enum.GetValues<StunClass>())
            {
                var type = StunWire.EncodeMessageType(messageClass, method);
                Assert.Equal(0, type & 0xC000);
                Assert.Equal((messageClass, method), StunWire.DecodeMessageType(type));
            }
        }
    }
}
