using System.Net;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Tests.Transactions;

/// <summary>
/// A transport that hands the layer messages built in code, never parsed, so a test can give the layer what the
/// parser of a real transport would have refused (an unreadable CSeq); what the layer sends is kept, not delivered.
/// </summary>
internal sealed class UncheckedTransport : ISipTransport
{
    private readonly List<SipMessage> _sent = [];

    public event Action<SipInboundMessage>? MessageReceived;

    public string Protocol => "UDP";

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Parse("192.0.2.1"), 5060);

    public IPEndPoint PeerEndPoint { get; } = new(IPAddress.Parse("192.0.2.2"), 5060);

    public IReadOnlyList<SipMessage> Sent => _sent;

    public void Start()
    {
    }

    /// <summary>Raises the message as received from <see cref="PeerEndPoint"/>.</summary>
    public void Receive(SipMessage message) => MessageReceived?.Invoke(new SipInboundMessage(message, PeerEndPoint, this));

    public ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        _sent.Add(message);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
