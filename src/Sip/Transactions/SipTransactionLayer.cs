using System.Net;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Transactions;

/// <summary>
/// Owns the client and server transactions of one UA (RFC 3261 section 17). It routes transport
/// input to transactions (section 17.1.3 and 17.2.3 matching), creates server transactions for new
/// requests, and raises what the transaction user must see. Retransmissions and stray responses
/// are absorbed here. Everything runs on one serial executor, so handlers run one at a time;
/// they may call back into the layer (their calls are queued behind them).
/// </summary>
public sealed class SipTransactionLayer : IDisposable
{
    private readonly SipTransactionTable _transactions = new();
    private readonly List<ISipTransport> _transports;
    private readonly SipTransactionLayerOptions _options;
    private long _strayResponses;
    private long _absorbed;
    private long _dropped;
    private bool _disposed;

    public SipTransactionLayer(IEnumerable<ISipTransport> transports, TimeProvider? timeProvider = null, SipTransactionLayerOptions? options = null)
    {
        _transports = [.. transports];
        if (_transports.Count == 0)
        {
            throw new ArgumentException("At least one transport is needed.", nameof(transports));
        }

        TimeProvider = timeProvider ?? TimeProvider.System;
        _options = options ?? new SipTransactionLayerOptions();
        Executor = new SerialExecutor(exception => HandlerFailed?.Invoke(exception));
        foreach (ISipTransport transport in _transports)
        {
            transport.MessageReceived += OnMessageReceived;
        }
    }

    public SipTransactionLayer(ISipTransport transport, TimeProvider? timeProvider = null, SipTransactionLayerOptions? options = null)
        : this([transport], timeProvider, options)
    {
    }

    /// <summary>A new request created a server transaction; answer it with <see cref="SipServerTransaction.SendResponse"/>.</summary>
    public event Action<SipServerTransaction>? RequestReceived;

    /// <summary>A response passed up by a client transaction (provisional and final; retransmissions are absorbed).</summary>
    public event Action<SipClientTransaction, SipResponse>? ResponseReceived;

    /// <summary>Timer B or F fired (no final response), or timer H fired (no ACK for a final response).</summary>
    public event Action<SipTransaction>? TransactionTimedOut;

    /// <summary>A send failed; the transaction has been terminated.</summary>
    public event Action<SipTransaction, Exception>? TransportError;

    /// <summary>An ACK that matched no transaction: the ACK for a 2xx, which belongs to the TU (section 17.2.3).</summary>
    public event Action<SipInboundMessage>? AckReceived;

    /// <summary>A 2xx to INVITE that matched no transaction: a retransmission the TU must ACK again (section 13.2.2.4).</summary>
    public event Action<SipInboundMessage>? UnmatchedInviteSuccess;

    /// <summary>A CANCEL matched a pending INVITE, which the layer has answered with 487 (server transaction, CANCEL request).</summary>
    public event Action<SipInviteServerTransaction, SipRequest>? InviteCancelled;

    /// <summary>A handler threw; the layer carries on.</summary>
    public event Action<Exception>? HandlerFailed;

    public TimeProvider TimeProvider { get; }

    public SipTimerOptions Timers => _options.Timers;

    public IReadOnlyList<ISipTransport> Transports => _transports;

    /// <summary>Live transactions (client and server).</summary>
    public int TransactionCount => _transactions.Count;

    /// <summary>Responses that matched no client transaction and were discarded.</summary>
    public long StrayResponseCount => Interlocked.Read(ref _strayResponses);

    /// <summary>Retransmissions a transaction absorbed without passing them to the TU.</summary>
    public long AbsorbedCount => Interlocked.Read(ref _absorbed);

    /// <summary>Requests dropped or answered statelessly because they lacked the headers a transaction needs.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    internal SerialExecutor Executor { get; }

    /// <summary>Starts every transport's receive loop.</summary>
    public void Start()
    {
        foreach (ISipTransport transport in _transports)
        {
            transport.Start();
        }
    }

    /// <summary>
    /// Sends a request in a new client transaction. A top Via is added (or its branch filled in)
    /// when the request has none; an existing top Via with a branch is kept. ACK is not sent in a
    /// transaction: use <see cref="SendStateless"/>.
    /// </summary>
    /// <param name="protocol">"UDP" or "TCP"; the first transport when null.</param>
    public SipClientTransaction SendRequest(SipRequest request, IPEndPoint destination, string? protocol = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == SipMethods.Ack)
        {
            throw new ArgumentException("ACK does not create a client transaction; send it with SendStateless.", nameof(request));
        }

        ISipTransport transport = SelectTransport(protocol);
        SipViaStamping.PrepareOutbound(request, transport, _options.ViaHost);
        string key = SipTransactionKeys.Client(request.TopVia!.Branch!, request.CSeq?.Method ?? request.Method);
        SipClientTransaction transaction = request.Method == SipMethods.Invite
            ? new SipInviteClientTransaction(this, key, request, transport, destination)
            : new SipNonInviteClientTransaction(this, key, request, transport, destination);
        if (!_transactions.TryAddClient(key, transaction))
        {
            throw new InvalidOperationException($"A client transaction with branch {request.TopVia.Branch} and method {request.Method} already exists.");
        }

        Executor.Post(transaction.Start);
        return transaction;
    }

    /// <summary>
    /// Sends a message outside any transaction: the ACK for a 2xx (a request gets a Via with a new
    /// branch when it has none) or a 2xx retransmission from the TU.
    /// </summary>
    public ValueTask SendStateless(SipMessage message, IPEndPoint destination, string? protocol = null, CancellationToken cancellationToken = default)
    {
        ISipTransport transport = SelectTransport(protocol);
        if (message is SipRequest request)
        {
            SipViaStamping.PrepareOutbound(request, transport, _options.ViaHost);
        }

        return transport.SendAsync(message, destination, cancellationToken);
    }

    /// <summary>The pending INVITE server transaction a CANCEL refers to (section 9.2), or null.</summary>
    public SipInviteServerTransaction? FindInviteForCancel(SipRequest cancel)
    {
        string? key = SipTransactionKeys.Server(cancel, SipMethods.Invite);
        return key is not null ? _transactions.FindServer(key) as SipInviteServerTransaction : null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (ISipTransport transport in _transports)
        {
            transport.MessageReceived -= OnMessageReceived;
        }

        List<SipTransaction> live = _transactions.Snapshot();
        Executor.Post(() => live.ForEach(transaction => transaction.Abandon()));
    }

    internal SipClientTransaction StartClientTransaction(SipRequest request, IPEndPoint destination, ISipTransport transport) =>
        SendRequest(request, destination, transport.Protocol);

    internal void SendFromTransaction(SipTransaction transaction, SipMessage message)
    {
        ValueTask sending;
        try
        {
            sending = transaction.Transport.SendAsync(message, transaction.RemoteEndPoint);
        }
#pragma warning disable CA1031 // Any send failure is a transport error for the transaction.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Executor.Post(() => transaction.OnTransportError(exception));
            return;
        }

        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveSendAsync(transaction, sending);
        }
    }

    internal void Remove(SipTransaction transaction) => _transactions.Remove(transaction);

    internal void RaiseResponse(SipClientTransaction transaction, SipResponse response) => ResponseReceived?.Invoke(transaction, response);

    internal void RaiseTimeout(SipTransaction transaction) => TransactionTimedOut?.Invoke(transaction);

    internal void RaiseTransportError(SipTransaction transaction, Exception exception) => TransportError?.Invoke(transaction, exception);

    internal void CountAbsorbed() => Interlocked.Increment(ref _absorbed);

    private async Task ObserveSendAsync(SipTransaction transaction, ValueTask sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any send failure is a transport error for the transaction.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Executor.Post(() => transaction.OnTransportError(exception));
        }
    }

    private ISipTransport SelectTransport(string? protocol)
    {
        if (protocol is null)
        {
            return _transports[0];
        }

        return _transports.Find(transport => transport.Protocol.Equals(protocol, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"No {protocol} transport is configured.", nameof(protocol));
    }

    private void OnMessageReceived(SipInboundMessage inbound)
    {
        if (!_disposed)
        {
            Executor.Post(() => Route(inbound));
        }
    }

    private void Route(SipInboundMessage inbound)
    {
        try
        {
            if (inbound.Message is SipResponse response)
            {
                RouteResponse(response, inbound);
            }
            else if (inbound.Message is SipRequest request)
            {
                RouteRequest(request, inbound);
            }
        }
        catch (SipParseException)
        {
            // A header a matching rule needs did not parse: nothing can be done with the message.
            Interlocked.Increment(ref _dropped);
        }
    }

    private void RouteResponse(SipResponse response, SipInboundMessage inbound)
    {
        // Section 17.1.3: branch of the top Via and the CSeq method.
        string? branch = response.TopVia?.Branch;
        CSeqHeader? cseq = response.CSeq;
        SipClientTransaction? transaction = branch is not null && cseq is not null
            ? _transactions.FindClient(SipTransactionKeys.Client(branch, cseq.Method))
            : null;

        if (transaction is not null)
        {
            transaction.OnResponse(response);
        }
        else if (cseq?.Method == SipMethods.Invite && response.StatusCode is >= 200 and < 300)
        {
            UnmatchedInviteSuccess?.Invoke(inbound);
        }
        else
        {
            Interlocked.Increment(ref _strayResponses);
        }
    }

    private void RouteRequest(SipRequest request, SipInboundMessage inbound)
    {
        if (!SipTransactionKeys.HasTransactionHeaders(request))
        {
            Interlocked.Increment(ref _dropped);
            if (request.Method != SipMethods.Ack && request.Headers.Contains(SipHeaderNames.Via))
            {
                _ = SendQuietly(Stateless(request, 400, "Missing Required Header"), inbound);
            }

            return;
        }

        if (!SipTransactionKeys.HasReadableCSeq(request))
        {
            // The parser of the UDP and TCP transports refuses such a request (and answers it); one from elsewhere
            // still has the Via, From, To and Call-ID a 400 needs. No transaction: its key and its matching need the CSeq.
            Interlocked.Increment(ref _dropped);
            if (request.Method != SipMethods.Ack)
            {
                _ = SendQuietly(Stateless(request, 400, "Bad CSeq"), inbound);
            }

            return;
        }

        SipViaStamping.StampReceived(request, inbound.RemoteEndPoint);
        string key = SipTransactionKeys.Server(request)!;
        SipServerTransaction? existing = _transactions.FindServer(key);

        if (existing is not null)
        {
            existing.OnRequest(request);
            return;
        }

        if (request.Method == SipMethods.Ack)
        {
            AckReceived?.Invoke(inbound);
            return;
        }

        SipServerTransaction transaction = request.Method == SipMethods.Invite
            ? new SipInviteServerTransaction(this, key, request, inbound.Transport, inbound.RemoteEndPoint)
            : new SipNonInviteServerTransaction(this, key, request, inbound.Transport, inbound.RemoteEndPoint);
        _transactions.SetServer(key, transaction);

        if (transaction is SipInviteServerTransaction invite)
        {
            invite.Start();
        }

        if (request.Method == SipMethods.Cancel && _options.HandleCancel)
        {
            HandleCancel(transaction, request);
            return;
        }

        RequestReceived?.Invoke(transaction);
    }

    private void HandleCancel(SipServerTransaction cancelTransaction, SipRequest cancel)
    {
        SipInviteServerTransaction? invite = FindInviteForCancel(cancel);
        if (invite is null)
        {
            cancelTransaction.OnUserResponse(SipMessageFactory.CreateResponse(cancel, 481, "Call/Transaction Does Not Exist"));
            return;
        }

        // The CANCEL's To tag is the INVITE's (none); use the tag the TU already put in a provisional response.
        string? toTag = invite.LastResponse?.To?.Tag ?? invite.LocalTag;
        cancelTransaction.OnUserResponse(SipMessageFactory.CreateResponse(cancel, 200, "OK", toTag));
        if (invite.IsCancellable)
        {
            invite.OnUserResponse(SipMessageFactory.CreateResponse(invite.Request, 487, "Request Terminated", toTag ?? invite.LocalTag));
            InviteCancelled?.Invoke(invite, cancel);
        }
    }

    /// <summary>A response sent without a transaction, with the To tag a stateless UAS derives from the request.</summary>
    private static SipResponse Stateless(SipRequest request, int statusCode, string reasonPhrase)
    {
        SipResponse response = SipMessageFactory.CreateResponse(request, statusCode, reasonPhrase);
        SipMessageFactory.EnsureToTag(request, response);
        return response;
    }

    private async Task SendQuietly(SipMessage message, SipInboundMessage inbound)
    {
        try
        {
            await inbound.Transport.SendAsync(message, inbound.RemoteEndPoint).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A stateless error answer that cannot be sent is simply lost.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
