using System.Security.Cryptography.X509Certificates;

namespace CallCenter.Sip.Transport;

/// <summary>Settings of <see cref="WebSocketSipTransport"/>.</summary>
public sealed class WebSocketTransportOptions
{
    /// <summary>The largest SIP message (one WebSocket message) a connection may send; larger closes it (1009).</summary>
    public int MaxMessageSize { get; init; } = new SipTransportOptions().MaxMessageSize;

    /// <summary>Open connections beyond this are refused at the upgrade with 503.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>A connection that sends nothing (no message, no pong) for this long is closed; the handshake too.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the server pings an idle client (RFC 6455 section 5.5.2), keeping NAT bindings open.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The server certificate with its private key: wss (TLS) when set, ws when null.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Answer requests that fail to parse with the parser's suggested status (400, 505, 501).</summary>
    public bool AnswerMalformedRequests { get; init; } = true;

    /// <summary>The clock of the idle timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
