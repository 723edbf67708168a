using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Sip.Transport;

/// <summary>Why an HTTP upgrade to SIP over WebSocket was refused (or <see cref="None"/>).</summary>
public enum WebSocketUpgradeRefusal
{
    None,

    /// <summary>Not an HTTP/1.1 GET, or the header section is unreadable or too large.</summary>
    MalformedRequest,

    /// <summary>No "Upgrade: websocket" with "Connection: Upgrade".</summary>
    NotAnUpgrade,

    /// <summary>Sec-WebSocket-Version is not 13 (RFC 6455 section 4.4).</summary>
    UnsupportedVersion,

    /// <summary>No usable Sec-WebSocket-Key.</summary>
    MissingKey,

    /// <summary>The client did not offer the "sip" subprotocol (RFC 7118 section 4).</summary>
    MissingSipSubprotocol,

    /// <summary>The edge has as many WebSocket connections as it accepts.</summary>
    TooManyConnections,
}

/// <summary>
/// The server side of the WebSocket opening handshake (RFC 6455 section 4.2) for SIP (RFC 7118 section 4): reads the
/// client's HTTP/1.1 upgrade request and writes either 101 with "Sec-WebSocket-Protocol: sip" or a refusal with a
/// reason. Never throws on bad input.
/// </summary>
public static class WebSocketHandshake
{
    /// <summary>The subprotocol SIP over WebSocket negotiates (RFC 7118 section 4, IANA-registered).</summary>
    public const string SipSubprotocol = "sip";

    /// <summary>The most header bytes a client may send before the upgrade is refused.</summary>
    public const int MaxRequestSize = 8 * 1024;

    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Checks an upgrade request (its header section, up to and including the empty line).</summary>
    public static WebSocketUpgradeRefusal Evaluate(ReadOnlySpan<byte> request, out string? acceptKey)
    {
        acceptKey = null;
        if (request.Length > MaxRequestSize)
        {
            return WebSocketUpgradeRefusal.MalformedRequest;
        }

        string[] lines = Encoding.Latin1.GetString(request).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[2] != "HTTP/1.1")
        {
            return WebSocketUpgradeRefusal.MalformedRequest;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return WebSocketUpgradeRefusal.MalformedRequest;
            }

            string name = lines[i][..colon].Trim();
            string value = lines[i][(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out string? earlier) ? earlier + "," + value : value;
        }

        if (!HasToken(headers, "Upgrade", "websocket") || !HasToken(headers, "Connection", "upgrade"))
        {
            return WebSocketUpgradeRefusal.NotAnUpgrade;
        }

        if (!headers.TryGetValue("Sec-WebSocket-Version", out string? version) || version != "13")
        {
            return WebSocketUpgradeRefusal.UnsupportedVersion;
        }

        if (!headers.TryGetValue("Sec-WebSocket-Key", out string? key) || !IsNonce(key))
        {
            return WebSocketUpgradeRefusal.MissingKey;
        }

        if (!HasToken(headers, "Sec-WebSocket-Protocol", SipSubprotocol))
        {
            return WebSocketUpgradeRefusal.MissingSipSubprotocol;
        }

        acceptKey = AcceptKey(key);
        return WebSocketUpgradeRefusal.None;
    }

    /// <summary>Sec-WebSocket-Accept for a client's key (RFC 6455 section 4.2.2 step 5.4).</summary>
    public static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));

    /// <summary>The 101 answer that completes the upgrade.</summary>
    public static byte[] Accept(string acceptKey) => Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Accept: {acceptKey}\r\nSec-WebSocket-Protocol: {SipSubprotocol}\r\n\r\n");

    /// <summary>The refusal: 426 for a version we do not speak, 503 when full, 400 otherwise; the reason in the body.</summary>
    public static byte[] Refuse(WebSocketUpgradeRefusal refusal)
    {
        (int status, string phrase, string reason, string extra) = refusal switch
        {
            WebSocketUpgradeRefusal.UnsupportedVersion => (426, "Upgrade Required", "only WebSocket version 13 is supported", "Sec-WebSocket-Version: 13\r\n"),
            WebSocketUpgradeRefusal.MissingSipSubprotocol => (400, "Bad Request", "the sip subprotocol is required (Sec-WebSocket-Protocol: sip, RFC 7118)", ""),
            WebSocketUpgradeRefusal.TooManyConnections => (503, "Service Unavailable", "too many WebSocket connections", ""),
            WebSocketUpgradeRefusal.NotAnUpgrade => (426, "Upgrade Required", "this port only speaks SIP over WebSocket", "Upgrade: websocket\r\n"),
            WebSocketUpgradeRefusal.MissingKey => (400, "Bad Request", "missing or invalid Sec-WebSocket-Key", ""),
            _ => (400, "Bad Request", "malformed upgrade request", ""),
        };
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {phrase}\r\n{extra}Content-Type: text/plain\r\nContent-Length: {reason.Length}\r\nConnection: close\r\n\r\n{reason}");
    }

    /// <summary>Where the header section ends (the index after the empty line), or -1.</summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        int index = data.IndexOf("\r\n\r\n"u8);
        return index < 0 ? -1 : index + 4;
    }

    private static bool HasToken(Dictionary<string, string> headers, string name, string token) =>
        headers.TryGetValue(name, out string? value)
        && value.Split(',').Any(item => item.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsNonce(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }
}
