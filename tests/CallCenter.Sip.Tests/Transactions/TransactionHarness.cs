using System.Globalization;
using System.Net;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Transport;
using CallCenter.Sip.Uris;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Transactions;

/// <summary>
/// A transaction layer on one side of an in-memory pair and a scripted peer on the other. Delivery
/// is synchronous and timers run on a <see cref="FakeTimeProvider"/>, so after each Advance the
/// peer has seen every retransmission that was due.
/// </summary>
internal sealed class TransactionHarness : IDisposable
{
    private readonly List<SipMessage> _peerReceived = [];

    public TransactionHarness(bool reliable = false, SipTransactionLayerOptions? options = null)
    {
        (LayerTransport, PeerTransport) = InMemorySipTransport.CreatePair(reliable);
        Layer = new SipTransactionLayer(LayerTransport, Time, options);
        Layer.RequestReceived += transaction => ServerTransactions.Add(transaction);
        Layer.ResponseReceived += (_, response) => TuResponses.Add(response);
        Layer.TransactionTimedOut += transaction => TimedOut.Add(transaction);
        Layer.AckReceived += inbound => TuAcks.Add((SipRequest)inbound.Message);
        Layer.UnmatchedInviteSuccess += inbound => UnmatchedSuccesses.Add((SipResponse)inbound.Message);
        Layer.InviteCancelled += (transaction, _) => Cancelled.Add(transaction);
        Layer.HandlerFailed += exception => HandlerFailures.Add(exception);
        PeerTransport.MessageReceived += inbound => _peerReceived.Add(inbound.Message);
        Layer.Start();
        PeerTransport.Start();
    }

    public FakeTimeProvider Time { get; } = new();

    public InMemorySipTransport LayerTransport { get; }

    public InMemorySipTransport PeerTransport { get; }

    public SipTransactionLayer Layer { get; }

    public IPEndPoint PeerEndPoint => PeerTransport.LocalEndPoint;

    public List<SipServerTransaction> ServerTransactions { get; } = [];

    public List<SipResponse> TuResponses { get; } = [];

    public List<SipTransaction> TimedOut { get; } = [];

    public List<SipRequest> TuAcks { get; } = [];

    public List<SipResponse> UnmatchedSuccesses { get; } = [];

    public List<SipInviteServerTransaction> Cancelled { get; } = [];

    public List<Exception> HandlerFailures { get; } = [];

    public IReadOnlyList<SipMessage> PeerReceived => _peerReceived;

    public IReadOnlyList<SipRequest> PeerRequests(string method) =>
        [.. _peerReceived.OfType<SipRequest>().Where(request => request.Method == method)];

    public IReadOnlyList<SipResponse> PeerResponses(int statusCode) =>
        [.. _peerReceived.OfType<SipResponse>().Where(response => response.StatusCode == statusCode)];

    public void PeerSend(SipMessage message) => PeerTransport.SendAsync(message, LayerTransport.LocalEndPoint).AsTask().GetAwaiter().GetResult();

    public void Advance(int milliseconds) => Time.Advance(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>A request as the peer would send it, with the peer's Via.</summary>
    public static SipRequest PeerRequest(string method, string branch = "z9hG4bKpeer1", uint cseq = 1, string sentBy = "192.0.2.2:5060", string? transport = null)
    {
        var request = NewRequest(method, cseq);
        request.Headers.Insert(0, new SipHeader(SipHeaderNames.Via, $"SIP/2.0/{transport ?? "UDP"} {sentBy};branch={branch}"));
        return request;
    }

    /// <summary>A request without a Via, for the layer to send (it adds the Via).</summary>
    public static SipRequest NewRequest(string method, uint cseq = 1, string callId = "call-1@192.0.2.2")
    {
        var request = new SipRequest(method, SipUri.Parse("sip:bob@192.0.2.1"));
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "<sip:alice@192.0.2.2>;tag=alicetag");
        request.Headers.Add(SipHeaderNames.To, "<sip:bob@192.0.2.1>");
        request.Headers.Add(SipHeaderNames.CallId, callId);
        request.Headers.Add(SipHeaderNames.CSeq, cseq.ToString(CultureInfo.InvariantCulture) + " " + method);
        request.Headers.Add(SipHeaderNames.Contact, "<sip:alice@192.0.2.2:5060>");
        return request;
    }

    /// <summary>The response the peer sends to a request it received.</summary>
    public static SipResponse Answer(SipRequest request, int statusCode, string reason = "Status", string toTag = "bobtag") =>
        SipMessageFactory.CreateResponse(request, statusCode, reason, statusCode > 100 ? toTag : null);

    public void Dispose() => Layer.Dispose();
}
