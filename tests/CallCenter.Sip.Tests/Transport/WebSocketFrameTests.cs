using System.Text;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Tests.Transport;

/// <summary>The frame-to-message step of RFC 7118 section 5.1 and the opening handshake of RFC 6455 section 4.2.</summary>
public sealed class WebSocketFrameTests
{
    [Fact]
    public void TryRead_OneRequestPerMessage_ParsesIt()
    {
        Assert.True(SipWebSocketFrame.TryRead(TestMessages.Invite(), 64 * 1024, out SipMessage? message, out SipFrameFailure failure, out _));
        Assert.Equal(SipFrameFailure.None, failure);
        Assert.Equal(SipMethods.Invite, ((SipRequest)message).Method);
    }

    [Fact]
    public void TryRead_WithoutContentLength_TheBodyIsTheRestOfTheMessage()
    {
        byte[] payload = Encoding.UTF8.GetBytes("MESSAGE sip:bob@example.com SIP/2.0\r\n" + TestMessages.BasicHeaders.Replace("INVITE", "MESSAGE", StringComparison.Ordinal)
            + "Content-Type: text/plain\r\n\r\nhello");

        Assert.True(SipWebSocketFrame.TryRead(payload, 64 * 1024, out SipMessage? message, out _, out _));
        Assert.Equal("hello", Encoding.UTF8.GetString(message.Body));
    }

    [Fact]
    public void TryRead_OverTheLimit_IsTooLargeWithoutParsing()
    {
        Assert.False(SipWebSocketFrame.TryRead(TestMessages.Invite(), 100, out _, out SipFrameFailure failure, out SipResponse? response));
        Assert.Equal(SipFrameFailure.TooLarge, failure);
        Assert.Null(response);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\r\n")]
    public void TryRead_EmptyOrKeepAlive_IsEmpty(string text)
    {
        Assert.False(SipWebSocketFrame.TryRead(Encoding.ASCII.GetBytes(text), 1024, out _, out SipFrameFailure failure, out _));
        Assert.Equal(SipFrameFailure.Empty, failure);
    }

    [Fact]
    public void TryRead_Garbage_IsMalformedWithNobodyToAnswer()
    {
        Assert.False(SipWebSocketFrame.TryRead([0xff, 0x00, 0x13, 0x37], 1024, out _, out SipFrameFailure failure, out SipResponse? response));
        Assert.Equal(SipFrameFailure.Malformed, failure);
        Assert.Null(response);
    }

    [Fact]
    public void TryRead_RequestWithABadHeader_IsMalformedAndAnswered400()
    {
        byte[] payload = TestMessages.Invite("Content-Length: many\r\n");

        Assert.False(SipWebSocketFrame.TryRead(payload, 64 * 1024, out _, out SipFrameFailure failure, out SipResponse? response));
        Assert.Equal(SipFrameFailure.Malformed, failure);
        Assert.NotNull(response);
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("a84b4c76e66710@pc33.example.com", response.CallId);
    }

    [Fact]
    public void TryRead_MutatedMessages_NeverThrow()
    {
        byte[] seed = TestMessages.Invite(body: "v=0\r\n");
        var random = new Random(7118);
        int parsed = 0;
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            byte[] input = iteration % 4 == 0 ? RandomBytes(random) : Mutate(seed, random);
            if (SipWebSocketFrame.TryRead(input, 4096, out _, out SipFrameFailure failure, out _))
            {
                parsed++;
            }
            else
            {
                Assert.NotEqual(SipFrameFailure.None, failure);
            }
        }

        Assert.InRange(parsed, 1, 20_000);
    }

    [Fact]
    public void Evaluate_BrowserUpgradeWithSip_AcceptsWithTheRfc6455Key()
    {
        // The example key and accept value of RFC 6455 section 1.3.
        Assert.Equal(WebSocketUpgradeRefusal.None, WebSocketHandshake.Evaluate(Upgrade("sip"), out string? accept));
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", accept);
        Assert.Contains("Sec-WebSocket-Protocol: sip\r\n", Encoding.ASCII.GetString(WebSocketHandshake.Accept(accept!)), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SipAmongOtherSubprotocols_Accepts() =>
        Assert.Equal(WebSocketUpgradeRefusal.None, WebSocketHandshake.Evaluate(Upgrade("chat, sip"), out _));

    [Theory]
    [InlineData(null)]
    [InlineData("chat")]
    public void Evaluate_WithoutTheSipSubprotocol_IsRefused400WithAReason(string? protocols)
    {
        Assert.Equal(WebSocketUpgradeRefusal.MissingSipSubprotocol, WebSocketHandshake.Evaluate(Upgrade(protocols), out _));
        string refusal = Encoding.ASCII.GetString(WebSocketHandshake.Refuse(WebSocketUpgradeRefusal.MissingSipSubprotocol));
        Assert.StartsWith("HTTP/1.1 400 ", refusal, StringComparison.Ordinal);
        Assert.Contains("sip subprotocol is required", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OtherVersion_IsRefused426()
    {
        byte[] request = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Upgrade("sip")).Replace("Version: 13", "Version: 8", StringComparison.Ordinal));
        Assert.Equal(WebSocketUpgradeRefusal.UnsupportedVersion, WebSocketHandshake.Evaluate(request, out _));
        Assert.StartsWith("HTTP/1.1 426 ", Encoding.ASCII.GetString(WebSocketHandshake.Refuse(WebSocketUpgradeRefusal.UnsupportedVersion)), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PlainGet_IsNotAnUpgrade() =>
        Assert.Equal(WebSocketUpgradeRefusal.NotAnUpgrade, WebSocketHandshake.Evaluate("GET / HTTP/1.1\r\nHost: edge\r\n\r\n"u8, out _));

    [Fact]
    public void Evaluate_RandomAndMutatedRequests_NeverThrow()
    {
        byte[] seed = Upgrade("sip");
        var random = new Random(6455);
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            byte[] input = iteration % 4 == 0 ? RandomBytes(random) : Mutate(seed, random);
            WebSocketUpgradeRefusal refusal = WebSocketHandshake.Evaluate(input, out string? accept);
            Assert.Equal(refusal == WebSocketUpgradeRefusal.None, accept is not null);
        }
    }

    private static byte[] Upgrade(string? protocols) => Encoding.ASCII.GetBytes(
        "GET /sip HTTP/1.1\r\nHost: edge.example.com\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://desk.example.com\r\nSec-WebSocket-Version: 13\r\n"
        + (protocols is null ? "" : $"Sec-WebSocket-Protocol: {protocols}\r\n") + "\r\n");

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        byte[] copy = [.. seed];
        int edits = random.Next(1, 8);
        for (int i = 0; i < edits && copy.Length > 0; i++)
        {
            int at = random.Next(copy.Length);
            switch (random.Next(3))
            {
                case 0:
                    copy[at] = (byte)random.Next(256);
                    break;
                case 1:
                    copy = [.. copy[..at], .. copy[(at + 1)..]];
                    break;
                default:
                    copy = [.. copy[..at], (byte)"\r\n:;,<> \0"[random.Next(9)], .. copy[at..]];
                    break;
            }
        }

        return copy;
    }
}
