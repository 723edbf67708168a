using System.Text;

namespace CallCenter.Sip.Tests;

internal static class TestMessages
{
    public const string BasicHeaders =
        "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@example.com>\r\n" +
        "From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n";

    public static byte[] Invite(string extraHeaders = "", string body = "") =>
        Encoding.UTF8.GetBytes(
            "INVITE sip:bob@example.com SIP/2.0\r\n" + BasicHeaders + extraHeaders +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body);

    public static SipMessage ParseInviteWith(string extraHeaders) => SipMessageParser.Parse(Invite(extraHeaders));

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
