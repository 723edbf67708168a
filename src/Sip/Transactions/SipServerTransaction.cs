using System.Net;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Transactions;

/// <summary>A server transaction (section 17.2): the TU answers the request through it.</summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
    }

    /// <summary>The last response sent (by the TU, or 100 Trying sent by the transaction).</summary>
    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>
    /// The To tag of this transaction's responses when the request had none: the first the TU put in a response, or
    /// one derived from the request. Every response but 100 carries it, retransmissions included (RFC 3261 8.2.6.2).
    /// </summary>
    public string LocalTag
    {
        get
        {
            lock (_tagGate)
            {
                return _localTag ??= SipMessageFactory.DefaultToTag(Request);
            }
        }
    }

    private readonly Lock _tagGate = new();
    private string? _localTag;

    /// <summary>
    /// Sends a response from the TU. Responses the state machine no longer allows (a second final
    /// response, anything after Terminated) are ignored.
    /// </summary>
    public void SendResponse(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        StampToTag(response);
        Layer.Executor.Post(() => OnUserResponse(response));
    }

    /// <summary>Builds a response to the request (section 8.2.6.2) and sends it.</summary>
    public SipResponse Respond(int statusCode, string reasonPhrase, string? toTag = null)
    {
        SipResponse response = SipMessageFactory.CreateResponse(Request, statusCode, reasonPhrase, toTag);
        SendResponse(response);
        return response;
    }

    internal abstract void OnUserResponse(SipResponse response);

    /// <summary>Adds the transaction's To tag to a response that needs one (a tag the TU chose becomes the transaction's).</summary>
    private protected void StampToTag(SipResponse response)
    {
        if (response.StatusCode <= 100)
        {
            return;
        }

        try
        {
            if (response.To?.Tag is { } chosen)
            {
                lock (_tagGate)
                {
                    _localTag ??= chosen;
                }

                return;
            }
        }
        catch (SipParseException)
        {
            return;
        }

        SipMessageFactory.EnsureToTag(Request, response, LocalTag);
    }

    /// <summary>A request that matched this transaction: a retransmission, or the ACK for an INVITE.</summary>
    internal abstract void OnRequest(SipRequest request);

    internal override void OnTransportError(Exception exception)
    {
        if (State != SipTransactionState.Terminated)
        {
            Layer.RaiseTransportError(this, exception);
            Terminate();
        }
    }

    private protected void SendLastResponse()
    {
        if (LastResponse is not null)
        {
            Send(LastResponse);
        }
        else
        {
            Layer.CountAbsorbed();
        }
    }
}

/// <summary>The INVITE server transaction (section 17.2.1, figure 7).</summary>
public sealed class SipInviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer _tryingTimer;
    private readonly TransactionTimer _timerG;
    private readonly TransactionTimer _timerH;
    private readonly TransactionTimer _timerI;

    internal SipInviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
        State = SipTransactionState.Proceeding;
        _tryingTimer = NewTimer(OnTryingTimer);
        _timerG = NewTimer(OnTimerG);
        _timerH = NewTimer(OnTimerH);
        _timerI = NewTimer(Terminate);
    }

    /// <summary>True while no final response has been sent, so a CANCEL still has an effect.</summary>
    public bool IsCancellable => State == SipTransactionState.Proceeding;

    internal void Start() => _tryingTimer.Start(Timers.TryingDelay);

    internal override void OnUserResponse(SipResponse response)
    {
        if (State != SipTransactionState.Proceeding)
        {
            return;
        }

        _tryingTimer.Stop();
        StampToTag(response);
        LastResponse = response;
        Send(response);
        if (response.StatusCode < 200)
        {
            return;
        }

        if (response.StatusCode < 300)
        {
            // 2xx: the TU retransmits it and receives the ACK, which is a new transaction (section 13.3.1.4).
            Terminate();
            return;
        }

        State = SipTransactionState.Completed;
        if (!IsReliable)
        {
            _timerG.Start(Timers.T1);
        }

        _timerH.Start(Timers.TransactionTimeout);
    }

    internal override void OnRequest(SipRequest request)
    {
        if (request.Method == SipMethods.Ack)
        {
            if (State == SipTransactionState.Completed)
            {
                State = SipTransactionState.Confirmed;
                _timerG.Stop();
                _timerH.Stop();
                _timerI.Start(IsReliable ? TimeSpan.Zero : Timers.T4);
            }
            else
            {
                Layer.CountAbsorbed();
            }

            return;
        }

        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed)
        {
            SendLastResponse();
        }
        else
        {
            Layer.CountAbsorbed();
        }
    }

    private void OnTryingTimer()
    {
        if (State == SipTransactionState.Proceeding && LastResponse is null)
        {
            LastResponse = SipMessageFactory.CreateResponse(Request, 100, "Trying");
            Send(LastResponse);
        }
    }

    private void OnTimerG()
    {
        if (State != SipTransactionState.Completed)
        {
            return;
        }

        SendLastResponse();
        TimeSpan next = _timerG.Interval * 2;
        _timerG.Start(next < Timers.T2 ? next : Timers.T2);
    }

    private void OnTimerH()
    {
        if (State == SipTransactionState.Completed)
        {
            // The ACK never came.
            Layer.RaiseTimeout(this);
            Terminate();
        }
    }
}

/// <summary>The non-INVITE server transaction (section 17.2.2, figure 8).</summary>
public sealed class SipNonInviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer _timerJ;

    internal SipNonInviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
        State = SipTransactionState.Trying;
        _timerJ = NewTimer(Terminate);
    }

    internal override void OnUserResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        StampToTag(response);
        LastResponse = response;
        Send(response);
        if (response.StatusCode < 200)
        {
            State = SipTransactionState.Proceeding;
            return;
        }

        State = SipTransactionState.Completed;
        _timerJ.Start(IsReliable ? TimeSpan.Zero : Timers.TransactionTimeout);
    }

    internal override void OnRequest(SipRequest request)
    {
        // Trying: discard (nothing to resend). Proceeding/Completed: resend the last response.
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed)
        {
            SendLastResponse();
        }
        else
        {
            Layer.CountAbsorbed();
        }
    }
}
