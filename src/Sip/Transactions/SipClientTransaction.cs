using System.Net;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Transactions;

/// <summary>A client transaction (section 17.1): sends a request and passes responses up to the TU.</summary>
public abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> _finalResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private protected SipClientTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
    }

    /// <summary>The last response passed to the TU.</summary>
    public SipResponse? LastResponse { get; private set; }

    /// <summary>
    /// The final response. Faults with <see cref="TimeoutException"/> when timer B or F fires, or
    /// with the transport's exception when the request could not be sent.
    /// </summary>
    public Task<SipResponse> FinalResponse => _finalResponse.Task;

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response);

    internal override void OnTransportError(Exception exception)
    {
        if (State == SipTransactionState.Terminated)
        {
            return;
        }

        _finalResponse.TrySetException(exception);
        Layer.RaiseTransportError(this, exception);
        Terminate();
    }

    internal override void Abandon()
    {
        _finalResponse.TrySetCanceled();
        base.Abandon();
    }

    private protected void PassToUser(SipResponse response)
    {
        LastResponse = response;
        if (response.StatusCode >= 200)
        {
            _finalResponse.TrySetResult(response);
        }

        Layer.RaiseResponse(this, response);
    }

    private protected void TimeOut(string timer)
    {
        _finalResponse.TrySetException(new TimeoutException($"{Method} transaction {Branch}: timer {timer} fired without a final response"));
        Layer.RaiseTimeout(this);
        Terminate();
    }
}

/// <summary>The INVITE client transaction (section 17.1.1, figure 5).</summary>
public sealed class SipInviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer _timerA;
    private readonly TransactionTimer _timerB;
    private readonly TransactionTimer _timerD;
    private SipRequest? _ack;
    private bool _cancelRequested;

    internal SipInviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
        State = SipTransactionState.Calling;
        _timerA = NewTimer(OnTimerA);
        _timerB = NewTimer(() => OnTimeout("B"));
        _timerD = NewTimer(Terminate);
    }

    /// <summary>The CANCEL transaction once one was sent.</summary>
    public SipClientTransaction? CancelTransaction { get; private set; }

    /// <summary>
    /// Cancels the INVITE (section 9.1): sends CANCEL now if a provisional response has arrived,
    /// or as soon as one does. Does nothing once a final response has arrived.
    /// </summary>
    public void Cancel() => Layer.Executor.Post(() =>
    {
        _cancelRequested = true;
        SendCancelIfDue();
    });

    internal override void Start()
    {
        Send(Request);
        if (!IsReliable)
        {
            _timerA.Start(Timers.T1);
        }

        _timerB.Start(Timers.TransactionTimeout);
    }

    internal override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.StatusCode < 200:
                State = SipTransactionState.Proceeding;
                _timerA.Stop();
                _timerB.Stop();
                PassToUser(response);
                SendCancelIfDue();
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.StatusCode < 300:
                // 2xx: the TU sends the ACK and handles retransmissions (section 13.2.2.4).
                PassToUser(response);
                Terminate();
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding:
                State = SipTransactionState.Completed;
                _timerA.Stop();
                _timerB.Stop();
                _ack = SipMessageFactory.CreateAckForFailure(Request, response);
                Send(_ack);
                PassToUser(response);
                _timerD.Start(IsReliable ? TimeSpan.Zero : Timers.TimerD);
                break;
            case SipTransactionState.Completed when response.StatusCode >= 300 && _ack is not null:
                // A retransmitted final response: ACK it again, do not bother the TU.
                Send(_ack);
                break;
            default:
                Layer.CountAbsorbed();
                break;
        }
    }

    private void OnTimerA()
    {
        if (State != SipTransactionState.Calling)
        {
            return;
        }

        Send(Request);
        _timerA.Start(_timerA.Interval * 2);
    }

    private void OnTimeout(string timer)
    {
        if (State == SipTransactionState.Calling)
        {
            TimeOut(timer);
        }
    }

    private void SendCancelIfDue()
    {
        if (_cancelRequested && CancelTransaction is null && State == SipTransactionState.Proceeding)
        {
            CancelTransaction = Layer.StartClientTransaction(SipMessageFactory.CreateCancel(Request), RemoteEndPoint, Transport);
        }
    }
}

/// <summary>The non-INVITE client transaction (section 17.1.2, figure 6).</summary>
public sealed class SipNonInviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer _timerE;
    private readonly TransactionTimer _timerF;
    private readonly TransactionTimer _timerK;

    internal SipNonInviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
        : base(layer, key, request, transport, remoteEndPoint)
    {
        State = SipTransactionState.Trying;
        _timerE = NewTimer(OnTimerE);
        _timerF = NewTimer(OnTimerF);
        _timerK = NewTimer(Terminate);
    }

    internal override void Start()
    {
        Send(Request);
        if (!IsReliable)
        {
            _timerE.Start(Timers.T1);
        }

        _timerF.Start(Timers.TransactionTimeout);
    }

    internal override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Trying or SipTransactionState.Proceeding when response.StatusCode < 200:
                State = SipTransactionState.Proceeding;
                PassToUser(response);
                break;
            case SipTransactionState.Trying or SipTransactionState.Proceeding:
                State = SipTransactionState.Completed;
                _timerE.Stop();
                _timerF.Stop();
                PassToUser(response);
                _timerK.Start(IsReliable ? TimeSpan.Zero : Timers.T4);
                break;
            default:
                Layer.CountAbsorbed();
                break;
        }
    }

    private void OnTimerE()
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        Send(Request);
        TimeSpan next = State == SipTransactionState.Proceeding ? Timers.T2 : _timerE.Interval * 2;
        _timerE.Start(next < Timers.T2 ? next : Timers.T2);
    }

    private void OnTimerF()
    {
        if (State is SipTransactionState.Trying or SipTransactionState.Proceeding)
        {
            TimeOut("F");
        }
    }
}
