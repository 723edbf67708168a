using System.Net;

namespace CallCenter.Sip.Transport;

/// <summary>
/// A transport joined to one peer in the same process, for tests. A send serializes the message,
/// and the peer parses the bytes and raises them synchronously on the sender's thread, so a test
/// that advances a fake clock sees every retransmission before <c>Advance</c> returns.
/// </summary>
public sealed class InMemorySipTransport : ISipTransport
{
    private InMemorySipTransport? _peer;
    private bool _started;
    private bool _disposed;

    private InMemorySipTransport(IPEndPoint localEndPoint, bool isReliable)
    {
        LocalEndPoint = localEndPoint;
        IsReliable = isReliable;
    }

    public event Action<SipInboundMessage>? MessageReceived;

    /// <summary>"TCP" for a reliable pair, "UDP" otherwise.</summary>
    public string Protocol => IsReliable ? "TCP" : "UDP";

    public bool IsReliable { get; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Messages sent by this side (after serialization), in order.</summary>
    public int SentCount { get; private set; }

    /// <summary>When set, sends are counted but not delivered (packet loss).</summary>
    public bool DropOutgoing { get; set; }

    /// <summary>Two joined transports with distinct fake addresses.</summary>
    public static (InMemorySipTransport First, InMemorySipTransport Second) CreatePair(bool isReliable = false)
    {
        var first = new InMemorySipTransport(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), isReliable);
        var second = new InMemorySipTransport(new IPEndPoint(IPAddress.Parse("192.0.2.2"), 5060), isReliable);
        first._peer = second;
        second._peer = first;
        return (first, second);
    }

    public void Start() => _started = true;

    public ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] bytes = message.ToBytes();
        SentCount++;
        if (!DropOutgoing && _peer is { } peer && destination.Equals(peer.LocalEndPoint))
        {
            peer.Deliver(bytes, LocalEndPoint);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Hands raw bytes to this transport as if the peer had sent them.</summary>
    public void Deliver(ReadOnlySpan<byte> bytes, IPEndPoint source)
    {
        if (!_started || _disposed)
        {
            return;
        }

        if (SipMessageParser.TryParse(bytes, out SipMessage? message))
        {
            MessageReceived?.Invoke(new SipInboundMessage(message, source, this));
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }
}
