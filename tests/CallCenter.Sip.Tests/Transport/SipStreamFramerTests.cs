using System.Text;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Tests.Transport;

public sealed class SipStreamFramerTests
{
    [Fact]
    public void TryReadMessage_TwoMessagesInOneSegment_ReturnsBoth()
    {
        var framer = new SipStreamFramer(4096);
        framer.Append(Bytes(Options("a", "hello") + Options("b", string.Empty)));

        Assert.True(framer.TryReadMessage(out byte[]? first));
        Assert.True(framer.TryReadMessage(out byte[]? second));
        Assert.False(framer.TryReadMessage(out _));

        Assert.Equal("hello"u8.ToArray(), SipMessageParser.Parse(first).Body);
        Assert.Equal("call-b", SipMessageParser.Parse(second).CallId);
        Assert.Equal(0, framer.BufferedCount);
    }

    [Fact]
    public void TryReadMessage_MessageFedByteByByte_ReturnsItOnlyWhenComplete()
    {
        var framer = new SipStreamFramer(4096);
        byte[] message = Bytes(Options("a", "body!"));

        for (int i = 0; i < message.Length - 1; i++)
        {
            framer.Append(message.AsSpan(i, 1));
            Assert.False(framer.TryReadMessage(out _));
        }

        framer.Append(message.AsSpan(message.Length - 1));
        Assert.True(framer.TryReadMessage(out byte[]? frame));
        Assert.Equal(message, frame);
    }

    [Fact]
    public void TryReadMessage_CrlfKeepAlivesBetweenMessages_AreSkipped()
    {
        var framer = new SipStreamFramer(4096);
        framer.Append(Bytes("\r\n\r\n" + Options("a", string.Empty) + "\r\n\r\n\r\n" + Options("b", string.Empty)));

        Assert.True(framer.TryReadMessage(out byte[]? first));
        Assert.True(framer.TryReadMessage(out byte[]? second));
        Assert.Equal("call-a", SipMessageParser.Parse(first).CallId);
        Assert.Equal("call-b", SipMessageParser.Parse(second).CallId);
    }

    [Fact]
    public void TryReadMessage_MissingContentLength_ThrowsFramingException()
    {
        var framer = new SipStreamFramer(4096);
        framer.Append(Bytes("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n"));

        Assert.Throws<SipFramingException>(() => framer.TryReadMessage(out _));
    }

    [Fact]
    public void TryReadMessage_BodyLargerThanLimit_ThrowsFramingException()
    {
        var framer = new SipStreamFramer(1024);
        framer.Append(Bytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n"));

        Assert.Throws<SipFramingException>(() => framer.TryReadMessage(out _));
    }

    [Fact]
    public void TryReadMessage_HeadersWithoutEndBeyondLimit_ThrowsFramingException()
    {
        var framer = new SipStreamFramer(256);
        framer.Append(Bytes("OPTIONS sip:a@b SIP/2.0\r\n" + new string('X', 300)));

        Assert.Throws<SipFramingException>(() => framer.TryReadMessage(out _));
    }

    [Fact]
    public void TryReadMessage_CompactContentLength_IsHonoured()
    {
        var framer = new SipStreamFramer(4096);
        framer.Append(Bytes("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcOPTIONS"));

        Assert.True(framer.TryReadMessage(out byte[]? frame));
        Assert.EndsWith("abc", Encoding.ASCII.GetString(frame), StringComparison.Ordinal);
        Assert.Equal(7, framer.BufferedCount);
    }

    internal static string Options(string id, string body, string via = "SIP/2.0/TCP 127.0.0.1:5999") =>
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n" +
        $"Via: {via};branch=z9hG4bK-{id}\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:alice@127.0.0.1>;tag=a1\r\n" +
        "To: <sip:bob@127.0.0.1>\r\n" +
        $"Call-ID: call-{id}\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
