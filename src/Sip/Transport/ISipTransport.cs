using System.Net;

namespace CallCenter.Sip.Transport;

/// <summary>
/// One SIP transport (RFC 3261 section 18): sends serialized messages to an endpoint and raises
/// every message it receives, already parsed, with where it came from.
/// </summary>
public interface ISipTransport : IAsyncDisposable
{
    /// <summary>The transport name used in Via: "UDP", "TCP".</summary>
    string Protocol { get; }

    /// <summary>True for stream transports (TCP): transactions run no retransmission timers over them.</summary>
    bool IsReliable { get; }

    /// <summary>The bound address; the port is the real one when 0 was asked for.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Raised on a transport thread for every message that parsed.</summary>
    event Action<SipInboundMessage>? MessageReceived;

    /// <summary>Starts receiving. Subscribe to <see cref="MessageReceived"/> first.</summary>
    void Start();

    /// <summary>Sends one message to the endpoint (over an existing connection to it when there is one).</summary>
    ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default);
}

/// <summary>A parsed message, the endpoint it came from and the transport it arrived on.</summary>
public sealed record SipInboundMessage(SipMessage Message, IPEndPoint RemoteEndPoint, ISipTransport Transport);
