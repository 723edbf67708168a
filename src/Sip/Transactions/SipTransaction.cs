using System.Net;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Transactions;

/// <summary>
/// One RFC 3261 section 17 transaction. All state changes run on the owning layer's executor;
/// the public members are safe to read from any thread.
/// </summary>
public abstract class SipTransaction
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<TransactionTimer> _timers = [];

    private protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request, ISipTransport transport, IPEndPoint remoteEndPoint)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Transport = transport;
        RemoteEndPoint = remoteEndPoint;
        Branch = request.TopVia?.Branch ?? string.Empty;
    }

    /// <summary>The key the layer matches messages with (branch, sent-by and method for servers; branch and CSeq method for clients).</summary>
    public string Key { get; }

    public string Branch { get; }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }

    public string Method => Request.Method;

    public ISipTransport Transport { get; }

    /// <summary>Where requests go (client) or where the request came from and responses go (server).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Reliable transports run no retransmission timers and zero wait timers.</summary>
    public bool IsReliable => Transport.IsReliable;

    public SipTransactionState State { get; private protected set; }

    /// <summary>Completes when the transaction reaches Terminated.</summary>
    public Task Terminated => _terminated.Task;

    private protected SipTransactionLayer Layer { get; }

    private protected SipTimerOptions Timers => Layer.Timers;

    internal abstract void OnTransportError(Exception exception);

    /// <summary>The layer is being disposed: stop the timers and end without telling the TU.</summary>
    internal virtual void Abandon() => Terminate();

    private protected TransactionTimer NewTimer(Action onExpired)
    {
        var timer = new TransactionTimer(Layer.TimeProvider, Layer.Executor, onExpired);
        _timers.Add(timer);
        return timer;
    }

    private protected void Send(SipMessage message) => Layer.SendFromTransaction(this, message);

    private protected void Terminate()
    {
        if (State == SipTransactionState.Terminated)
        {
            return;
        }

        State = SipTransactionState.Terminated;
        foreach (TransactionTimer timer in _timers)
        {
            timer.Stop();
        }

        Layer.Remove(this);
        _terminated.TrySetResult();
    }
}
