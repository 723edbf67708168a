using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace CallCenter.WebRtc.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5763, RFC 5764) on BouncyCastle's DTLS 1.2: the handshake in either role, the
/// peer's certificate checked against the SDP fingerprint, and the SRTP keys exported.
/// </summary>
/// <remarks>
/// The caller owns the UDP port: it hands in only datagrams from the address ICE selected (anything else it drops
/// before this class, so a stranger cannot disturb the handshake) whose first byte is 20..63 (RFC 7983), and it sends
/// what <see cref="IDtlsDatagramSender"/> is given to that same address. BouncyCastle is synchronous, so the
/// handshake runs on a thread of its own; after it, the few DTLS datagrams that still come (a retransmitted final
/// flight, close_notify) are processed on the delivering thread.
/// </remarks>
public sealed class DtlsSrtpSession : IDisposable
{
    private readonly DtlsSrtpOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly InboxDatagramTransport _transport;
    private readonly HandshakeOutcome _outcome;
    private readonly Lock _connectedLock = new();
    private readonly byte[] _applicationData = new byte[DtlsRecordInspector.MaxDatagramLength];
    private DtlsTransport? _dtls;
    private int _started;
    private volatile DtlsSessionState _state = DtlsSessionState.Idle;
    private volatile DtlsFailureReason _abortReason;
    private readonly TaskCompletionSource<DtlsSessionState> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DtlsSrtpSession(DtlsSrtpOptions options, IDtlsDatagramSender sender, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.Role == DtlsRole.Server && options.Profiles.Count == 0)
        {
            throw new ArgumentException("A DTLS-SRTP server needs at least one SRTP profile.", nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _transport = new InboxDatagramTransport(sender, options.InboxCapacity, options.MaxSendDatagramLength);
        _outcome = new HandshakeOutcome(options);
    }

    public DtlsRole Role => _options.Role;

    public DtlsSessionState State => _state;

    public DtlsDatagramCounters Counters { get; } = new();

    /// <summary>Completes with Failed or Closed when the association ends (handshake failure, alert, close_notify, Close).</summary>
    public Task<DtlsSessionState> Ended => _ended.Task;

    /// <summary>
    /// Runs the handshake once. Never throws for anything the peer or the network does: the result says why it failed.
    /// </summary>
    public async Task<DtlsHandshakeResult> HandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The handshake of a DTLS-SRTP session runs once.");
        }

        _state = DtlsSessionState.Handshaking;
        using var timeout = _timeProvider.CreateTimer(_ => Abort(DtlsFailureReason.TimedOut), null, _options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        using var cancellation = cancellationToken.Register(() => Abort(DtlsFailureReason.Cancelled));
        return await Task.Factory.StartNew(RunHandshake, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Hands in one datagram from the ICE-selected address. Never throws on its content: the verdict says whether it
    /// was taken and is counted in <see cref="Counters"/>. Do not call it from inside the sender.
    /// </summary>
    public DtlsDatagramVerdict DeliverDatagram(ReadOnlySpan<byte> datagram)
    {
        var verdict = DtlsRecordInspector.Inspect(datagram);
        if (verdict == DtlsDatagramVerdict.Accepted && _state is DtlsSessionState.Failed or DtlsSessionState.Closed)
        {
            verdict = DtlsDatagramVerdict.SessionEnded;
        }

        if (verdict == DtlsDatagramVerdict.Accepted && !_transport.TryEnqueue(datagram.ToArray()))
        {
            verdict = DtlsDatagramVerdict.InboxFull;
        }

        Counters.Count(verdict);
        if (verdict == DtlsDatagramVerdict.Accepted && _state == DtlsSessionState.Connected)
        {
            ProcessAfterHandshake();
        }

        return verdict;
    }

    /// <summary>Sends close_notify if connected, or stops a handshake in progress (it then fails as Cancelled).</summary>
    public void Close()
    {
        if (_state == DtlsSessionState.Connected)
        {
            lock (_connectedLock)
            {
                End(DtlsSessionState.Closed);
                try
                {
                    _dtls?.Close();
                }
                catch (IOException)
                {
                    // The peer learns of the end from the signalling anyway.
                }
            }
        }
        else if (_state == DtlsSessionState.Idle && Interlocked.Exchange(ref _started, 1) == 0)
        {
            End(DtlsSessionState.Closed);
        }

        Abort(DtlsFailureReason.Cancelled);
    }

    public void Dispose() => Close();

    private void End(DtlsSessionState state)
    {
        _state = state;
        _ended.TrySetResult(state);
    }

    private void Abort(DtlsFailureReason reason)
    {
        if (_abortReason == DtlsFailureReason.None)
        {
            _abortReason = reason;
        }

        _transport.Abort();
    }

    private DtlsHandshakeResult RunHandshake()
    {
        try
        {
            var crypto = new BcTlsCrypto(new SecureRandom());
            var dtls = _options.Role == DtlsRole.Server
                ? new DtlsServerProtocol().Accept(new SrtpDtlsServer(crypto, _outcome), _transport)
                : new DtlsClientProtocol().Connect(new SrtpDtlsClient(crypto, _outcome), _transport);
            if (_outcome.Keys is not { } keys)
            {
                dtls.Close();
                return Fail(DtlsFailureReason.NoSrtpProfile, "the handshake completed without an SRTP profile");
            }

            lock (_connectedLock)
            {
                if (_abortReason != DtlsFailureReason.None)
                {
                    return Fail(_abortReason, "aborted as the handshake completed");
                }

                _dtls = dtls;
                _transport.NonBlocking = true;
                _state = DtlsSessionState.Connected;
            }

            // Datagrams that came while the last flight was being written (a retransmitted client flight).
            ProcessAfterHandshake();
            return DtlsHandshakeResult.Success(keys, _outcome.RemoteFingerprint);
        }
        catch (Exception e)
        {
            // Everything a peer can provoke surfaces from BouncyCastle as an exception; the session turns it into a reason.
            var (reason, detail) = Classify(e);
            return Fail(reason, detail);
        }
    }

    private DtlsHandshakeResult Fail(DtlsFailureReason reason, string? detail)
    {
        End(DtlsSessionState.Failed);
        _transport.Abort();
        return DtlsHandshakeResult.Failed(reason, detail);
    }

    private (DtlsFailureReason, string?) Classify(Exception e)
    {
        if (_abortReason != DtlsFailureReason.None)
        {
            return (_abortReason, _abortReason == DtlsFailureReason.TimedOut
                ? $"no complete handshake within {_options.HandshakeTimeout}"
                : "the session was closed during the handshake");
        }

        if (_outcome.Failure != DtlsFailureReason.None)
        {
            return (_outcome.Failure, _outcome.Detail);
        }

        return e switch
        {
            TlsFatalAlertReceived received => (DtlsFailureReason.AlertReceived, "the peer sent fatal alert " + AlertDescription.GetText(received.AlertDescription)),
            TlsFatalAlert { InnerException: DtlsSendFailedException sendFailed } => (DtlsFailureReason.TransportError, sendFailed.Message),
            DtlsSendFailedException sendFailed => (DtlsFailureReason.TransportError, sendFailed.Message),
            TlsFatalAlert alert => (DtlsFailureReason.ProtocolError, $"{AlertDescription.GetText(alert.AlertDescription)}: {alert.Message}"),
            TlsTimeoutException => (DtlsFailureReason.TimedOut, e.Message),
            _ => (DtlsFailureReason.ProtocolError, e.Message),
        };
    }

    private void ProcessAfterHandshake()
    {
        // A datagram our own sender delivers back while we hold the lock waits in the inbox for this same loop.
        if (_connectedLock.IsHeldByCurrentThread)
        {
            return;
        }

        lock (_connectedLock)
        {
            if (_dtls is null || _state != DtlsSessionState.Connected)
            {
                return;
            }

            try
            {
                while (_transport.HasPending && !_transport.ClosedByTls)
                {
                    // Handshake retransmissions and alerts are handled inside; application data (no data channels
                    // here) is read and ignored. The wait of 1 ms is BouncyCastle's loop bound: our receive never blocks.
                    _dtls.Receive(_applicationData, 0, _applicationData.Length, 1);
                }
            }
            catch (Exception)
            {
                // A fatal alert from the peer, or one we raised: the association is over either way.
                End(DtlsSessionState.Failed);
                _transport.Abort();
                return;
            }

            if (_transport.ClosedByTls)
            {
                End(DtlsSessionState.Closed);
            }
        }
    }
}
