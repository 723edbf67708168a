using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CallCenter.Sip;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Transport;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Signalling;

/// <summary>
/// The edge's SIP transports and transaction layer, with what a B2BUA needs on top: requests sent as awaitable
/// transactions (provisional responses passed to a callback), 2xx answers retransmitted until their ACK,
/// and ACKs repeated for retransmitted 2xx responses.
/// </summary>
internal sealed class SipSignalling : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SipClientTransaction, Action<SipResponse>> _provisionalHandlers = new();
    private readonly ConcurrentDictionary<string, (SipRequest Ack, IPEndPoint Destination, string Protocol)> _sentAcks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AnswerRetransmission> _unacknowledgedAnswers = new(StringComparer.Ordinal);
    private readonly List<ISipTransport> _transports = [];
    private readonly SipTransactionLayer _layer;
    private readonly TimeProvider _time;

    public SipSignalling(IPAddress listen, int port, bool udp, bool tcp, string advertisedHost, TimeProvider time, WebSocketListener? webSocket = null)
    {
        if (!udp && !tcp)
        {
            throw new ArgumentException("the SIP edge needs UDP, TCP or both");
        }

        _time = time;
        if (udp)
        {
            var udpTransport = new UdpSipTransport(new IPEndPoint(listen, port));
            _transports.Add(udpTransport);
            port = udpTransport.LocalEndPoint.Port;
        }

        if (tcp)
        {
            var tcpTransport = new TcpSipTransport(new IPEndPoint(listen, port));
            _transports.Add(tcpTransport);
            port = tcpTransport.LocalEndPoint.Port;
        }

        Port = port;
        if (webSocket is not null)
        {
            WebSocket = new WebSocketSipTransport(webSocket.Endpoint, webSocket.Options);
            _transports.Add(WebSocket);
        }

        AdvertisedHost = advertisedHost;
        _layer = new SipTransactionLayer(_transports, time);
        _layer.RequestReceived += transaction => RequestReceived?.Invoke(transaction);
        _layer.InviteCancelled += (transaction, _) => InviteCancelled?.Invoke(transaction);
        _layer.AckReceived += OnAck;
        _layer.ResponseReceived += OnResponse;
        _layer.UnmatchedInviteSuccess += OnUnmatchedInviteSuccess;
        _layer.HandlerFailed += exception => HandlerFailed?.Invoke(exception);
    }

    public event Action<SipServerTransaction>? RequestReceived;

    public event Action<SipInviteServerTransaction>? InviteCancelled;

    /// <summary>An ACK for a 2xx we sent (it ends the answer's retransmissions first).</summary>
    public event Action<SipInboundMessage>? AckReceived;

    public event Action<Exception>? HandlerFailed;

    public int Port { get; }

    public string AdvertisedHost { get; }

    public IReadOnlyList<ISipTransport> Transports => _transports;

    /// <summary>The SIP over WebSocket listener, when configured.</summary>
    public WebSocketSipTransport? WebSocket { get; }

    /// <summary>
    /// Where a request to a WebSocket contact (transport=ws/wss, typically an ".invalid" host) goes: the connection its
    /// registration came over (RFC 7118 section 5), as the registrar knows it; null when it has none.
    /// </summary>
    public Func<AddressUri, (IPEndPoint Source, string Protocol)?>? WebSocketRoute { get; set; }

    public TimeProvider Time => _time;

    /// <summary>The transaction layer's T1 (RFC 3261 17.1.1.1), also the first interval of a reliable provisional's repeats.</summary>
    public TimeSpan T1 => _layer.Timers.T1;

    public void Start() => _layer.Start();

    /// <summary>The edge's Contact for a dialog, naming the transport the peer used.</summary>
    public NameAddress ContactFor(string user, string protocol)
    {
        var uri = new SipUri(AdvertisedHost) { User = user, Port = Port };
        if (protocol == "TCP")
        {
            uri.Parameters.Set("transport", "tcp");
        }
        else if (protocol is "WS" or "WSS" && WebSocket is not null)
        {
            uri.Port = WebSocket.LocalEndPoint.Port;
            uri.Parameters.Set("transport", protocol.ToLowerInvariant());
        }

        return new NameAddress(uri);
    }

    /// <summary>Sends a request in a client transaction and returns its final response; a timeout or a failed send gives 408 or 503.</summary>
    public async Task<SipResponse> SendAsync(SipRequest request, IPEndPoint destination, string protocol, Action<SipResponse>? onProvisional = null, Action<SipClientTransaction>? onStarted = null)
    {
        SipClientTransaction transaction;
        try
        {
            transaction = _layer.SendRequest(request, destination, protocol);
        }
        catch (Exception exception) when (exception is SocketException or InvalidOperationException or ArgumentException)
        {
            return Synthetic(request, 503, "Service Unavailable");
        }

        if (onProvisional is not null)
        {
            _provisionalHandlers[transaction] = onProvisional;
        }

        onStarted?.Invoke(transaction);
        try
        {
            return await transaction.FinalResponse.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Synthetic(request, 408, "Request Timeout");
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return Synthetic(request, 503, "Service Unavailable");
        }
        finally
        {
            _provisionalHandlers.TryRemove(transaction, out _);
        }
    }

    /// <summary>Sends the ACK for a 2xx and keeps it, to repeat it if the 2xx is retransmitted.</summary>
    public ValueTask SendAckAsync(SipRequest ack, IPEndPoint destination, string protocol)
    {
        if (ack.CallId is { } callId)
        {
            _sentAcks[callId] = (ack, destination, protocol);
        }

        return _layer.SendStateless(ack, destination, protocol);
    }

    /// <summary>
    /// A 2xx to an INVITE was repeated for 64·T1 and no ACK came (RFC 3261 13.3.1.4): the dialog must be ended with BYE.
    /// Raised on a timer thread with the INVITE's transaction.
    /// </summary>
    public event Action<SipServerTransaction>? AnswerNotAcknowledged;

    /// <summary>Sends a 2xx to an INVITE (other requests' responses go out once); over UDP it is repeated (T1 doubling to T2) until its ACK or 64·T1, over TCP sent once; without an ACK by 64·T1, <see cref="AnswerNotAcknowledged"/> (section 13.3.1.4).</summary>
    public void SendAnswer(SipServerTransaction invite, SipResponse answer)
    {
        if (invite.Request.Method != SipMethods.Invite || invite.Request.CallId is not { } callId)
        {
            invite.SendResponse(answer);
            return;
        }

        // Registered before sending, so an ACK that comes back at once finds it and stops the repeats.
        var retransmission = new AnswerRetransmission(this, invite, answer, callId + "|" + invite.Request.CSeq?.Number.ToString(CultureInfo.InvariantCulture));
        _unacknowledgedAnswers[retransmission.Key] = retransmission;
        invite.SendResponse(answer);
        retransmission.Start();
    }

    /// <summary>Forgets a dialog's ACK (when the dialog ends).</summary>
    public void Forget(string callId) => _sentAcks.TryRemove(callId, out _);

    /// <summary>Where a request to <paramref name="target"/> goes: a WebSocket contact over its registration's connection, others by their URI.</summary>
    public IPEndPoint? ResolveTarget(AddressUri target, out string protocol)
    {
        if (IsWebSocketContact(target))
        {
            protocol = "UDP";
            if (WebSocketRoute?.Invoke(target) is not { } route)
            {
                return null;
            }

            protocol = route.Protocol;
            return route.Source;
        }

        return Resolve(target, out protocol);
    }

    public static bool IsWebSocketContact(AddressUri target) =>
        target is SipUri sip && sip.Parameters.Get("transport") is { } transport
        && (transport.Equals("ws", StringComparison.OrdinalIgnoreCase) || transport.Equals("wss", StringComparison.OrdinalIgnoreCase));

    public static IPEndPoint? Resolve(AddressUri target, out string protocol)
    {
        protocol = "UDP";
        if (target is not SipUri sip || IsWebSocketContact(target))
        {
            // A WebSocket peer cannot be dialled (its host is often ".invalid"): only its own connection reaches it.
            return null;
        }

        if (string.Equals(sip.Parameters.Get("transport"), "tcp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = "TCP";
        }

        var host = sip.Host.Trim('[', ']');
        var address = IPAddress.TryParse(host, out var parsed)
            ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        return address is null ? null : new IPEndPoint(address, sip.Port ?? 5060);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var answer in _unacknowledgedAnswers.Values)
        {
            answer.Dispose();
        }

        _layer.Dispose();
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SipResponse Synthetic(SipRequest request, int status, string reason) =>
        SipMessageFactory.CreateResponse(request, status, reason);

    private void OnResponse(SipClientTransaction transaction, SipResponse response)
    {
        if (response.StatusCode < 200 && _provisionalHandlers.TryGetValue(transaction, out var handler))
        {
            handler(response);
        }
    }

    private void OnAck(SipInboundMessage message)
    {
        if (message.Message is SipRequest ack && ack.CallId is { } callId
            && _unacknowledgedAnswers.TryRemove(callId + "|" + ack.CSeq?.Number.ToString(CultureInfo.InvariantCulture), out var answer))
        {
            answer.Dispose();
        }

        AckReceived?.Invoke(message);
    }

    private void OnUnmatchedInviteSuccess(SipInboundMessage message)
    {
        if (message.Message.CallId is { } callId && _sentAcks.TryGetValue(callId, out var sent))
        {
            _ = _layer.SendStateless(sent.Ack, sent.Destination, sent.Protocol);
        }
    }

    private sealed class AnswerRetransmission(SipSignalling owner, SipServerTransaction invite, SipResponse answer, string key) : IDisposable
    {
        private readonly Lock _gate = new();
        private ITimer? _timer;
        private bool _stopped;
        private TimeSpan _interval = owner._layer.Timers.T1;
        private TimeSpan _elapsed;

        public string Key => key;

        /// <summary>Starts the repeats, unless the ACK already came (it may overtake the send that precedes this).</summary>
        public void Start()
        {
            lock (_gate)
            {
                if (!_stopped)
                {
                    _timer = owner._time.CreateTimer(_ => Fire(), null, _interval, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopped = true;
                _timer?.Dispose();
            }

            owner._unacknowledgedAnswers.TryRemove(key, out _);
        }

        private void Fire()
        {
            _elapsed += _interval;
            if (_elapsed >= owner._layer.Timers.T1 * 64)
            {
                Dispose();
                owner.AnswerNotAcknowledged?.Invoke(invite);
                return;
            }

            if (!invite.IsReliable)
            {
                // Over TCP the transport delivers it; the ACK is still awaited for 64·T1.
                _ = owner._layer.SendStateless(answer, invite.RemoteEndPoint, invite.Transport.Protocol);
            }

            // Doubling up to T2, and the last wait ends at 64·T1 exactly.
            var left = owner._layer.Timers.T1 * 64 - _elapsed;
            _interval = TimeSpan.FromTicks(Math.Min(Math.Min(_interval.Ticks * 2, owner._layer.Timers.T2.Ticks), left.Ticks));
            _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }
}

/// <summary>Where the edge's SIP over WebSocket listener binds and how it behaves.</summary>
internal sealed record WebSocketListener(IPEndPoint Endpoint, WebSocketTransportOptions Options);
