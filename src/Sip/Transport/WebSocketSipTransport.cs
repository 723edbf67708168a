using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace CallCenter.Sip.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118), server side only: a TCP listener (TLS with the configured certificate for wss) that
/// takes HTTP/1.1 upgrades offering the "sip" subprotocol and then carries one SIP message per WebSocket message.
/// Browsers cannot be dialled, so a send goes over the connection the peer opened (RFC 7118 section 5): the remote
/// endpoint names the connection, as the registrar's binding source does. Bad messages are counted and answered with
/// 400 where possible and never close the connection; an oversize message (1009), silence past the idle timeout and
/// shutdown do. The WebSocket framing, masking, ping/pong and close handshake are the runtime's
/// (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>).
/// </summary>
public sealed class WebSocketSipTransport : ISipTransport
{
    private const int InitialBufferSize = 4 * 1024;

    private readonly TcpListener _listener;
    private readonly WebSocketTransportOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<IPEndPoint, Connection> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _handlers = new();
    private Task? _acceptLoop;
    private int _admitted;
    private long _malformedMessages;
    private long _oversizeMessages;
    private long _refusedUpgrades;
    private long _idleClosures;

    /// <summary>Binds and listens at once; port 0 picks a free port, reported by <see cref="LocalEndPoint"/>.</summary>
    public WebSocketSipTransport(IPEndPoint localEndPoint, WebSocketTransportOptions? options = null)
    {
        _options = options ?? new WebSocketTransportOptions();
        _listener = new TcpListener(localEndPoint);
        _listener.Start();
        LocalEndPoint = (IPEndPoint)_listener.LocalEndpoint;
    }

    public event Action<SipInboundMessage>? MessageReceived;

    /// <summary>Raised when a connection ends (closed by either side, timed out or failed): its bindings are unusable.</summary>
    public event Action<IPEndPoint>? ConnectionClosed;

    /// <summary>Raised for refused upgrades, dropped messages and failed handlers; for logging.</summary>
    public event Action<string>? Diagnostic;

    /// <summary>"WSS" with a certificate, "WS" without (the Via transport tokens of RFC 7118 section 5.2).</summary>
    public string Protocol => IsSecure ? "WSS" : "WS";

    public bool IsSecure => _options.Certificate is not null;

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Open, upgraded connections.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>WebSocket messages that held no SIP message (garbage, empty, unparsable), dropped or answered with 400.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    /// <summary>Messages over the size limit (each closed its connection with 1009).</summary>
    public long OversizeMessages => Interlocked.Read(ref _oversizeMessages);

    /// <summary>Upgrades answered with 400, 426 or 503.</summary>
    public long RefusedUpgrades => Interlocked.Read(ref _refusedUpgrades);

    /// <summary>Connections closed for silence.</summary>
    public long IdleClosures => Interlocked.Read(ref _idleClosures);

    public void Start() => _acceptLoop ??= Task.Run(AcceptLoopAsync);

    /// <summary>True while a connection from <paramref name="remote"/> is open.</summary>
    public bool IsConnected(IPEndPoint remote) => _connections.ContainsKey(remote);

    public async ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_connections.TryGetValue(destination, out Connection? connection))
        {
            // A WebSocket peer is reached only over the connection it opened (RFC 7118 section 5).
            throw new InvalidOperationException($"no WebSocket connection from {destination}");
        }

        await connection.SendAsync(message.ToBytes(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_handlers.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private Task AcceptLoopAsync() => TcpAcceptLoop.RunAsync(_listener, Serve, message => Diagnostic?.Invoke(message), _stopping.Token);

    private void Serve(Socket socket)
    {
        Task handler = Task.Run(() => ServeAsync(socket));
        _handlers[handler] = 0;
        _ = handler.ContinueWith(done => _handlers.TryRemove(done, out _), TaskScheduler.Default);
    }

    private async Task ServeAsync(Socket socket)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        using CancellationTokenRegistration stop = _stopping.Token.Register(idle.Cancel);
        idle.CancelAfter(_options.IdleTimeout);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        bool counted = false;
        Connection? connection = null;
        try
        {
            if (_options.Certificate is { } certificate)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, idle.Token).ConfigureAwait(false);
            }

            counted = true;
            bool admitted = Interlocked.Increment(ref _admitted) <= _options.MaxConnections;
            if (!await UpgradeAsync(stream, remote, admitted, idle.Token).ConfigureAwait(false))
            {
                return;
            }

            var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = WebSocketHandshake.SipSubprotocol,
                KeepAliveInterval = _options.KeepAliveInterval,
            });
            connection = new Connection(webSocket);
            _connections[remote] = connection;
            await ReceiveLoopAsync(connection, remote, idle).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            Interlocked.Increment(ref _idleClosures);
            Diagnostic?.Invoke($"closing idle WebSocket connection from {remote}");
        }
        catch (Exception exception) when (exception is IOException or WebSocketException or SocketException
            or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The peer went away, the TLS handshake failed, or we are shutting down.
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _admitted);
            }

            if (connection is not null)
            {
                _connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(remote, connection));
                connection.Dispose();
            }

            await stream.DisposeAsync().ConfigureAwait(false);
            if (connection is not null)
            {
                RaiseClosed(remote);
            }
        }
    }

    /// <summary>Reads the upgrade request and answers it; false when it was refused (the connection then ends).</summary>
    private async Task<bool> UpgradeAsync(Stream stream, IPEndPoint remote, bool admitted, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[WebSocketHandshake.MaxRequestSize];
        int count = 0;
        int end = -1;
        while (end < 0 && count < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            count += read;
            end = WebSocketHandshake.FindEnd(buffer.AsSpan(0, count));
        }

        // A client waits for 101 before it sends frames: bytes after the header section are not a WebSocket client's.
        string? acceptKey = null;
        WebSocketUpgradeRefusal refusal = end < 0 || end != count
            ? WebSocketUpgradeRefusal.MalformedRequest
            : WebSocketHandshake.Evaluate(buffer.AsSpan(0, end), out acceptKey);
        if (refusal == WebSocketUpgradeRefusal.None && !admitted)
        {
            refusal = WebSocketUpgradeRefusal.TooManyConnections;
        }

        if (refusal != WebSocketUpgradeRefusal.None)
        {
            Interlocked.Increment(ref _refusedUpgrades);
            Diagnostic?.Invoke($"refused a WebSocket upgrade from {remote}: {refusal}");
            await stream.WriteAsync(WebSocketHandshake.Refuse(refusal), cancellationToken).ConfigureAwait(false);
            return false;
        }

        await stream.WriteAsync(WebSocketHandshake.Accept(acceptKey!), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ReceiveLoopAsync(Connection connection, IPEndPoint remote, CancellationTokenSource idle)
    {
        byte[] buffer = new byte[Math.Min(InitialBufferSize, _options.MaxMessageSize)];
        int count = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await connection.Socket.ReceiveAsync(buffer.AsMemory(count), idle.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", idle.Token).ConfigureAwait(false);
                return;
            }

            count += result.Count;
            if (!result.EndOfMessage)
            {
                if (count < buffer.Length)
                {
                    continue;
                }

                if (buffer.Length >= _options.MaxMessageSize)
                {
                    Interlocked.Increment(ref _oversizeMessages);
                    Diagnostic?.Invoke($"closing WebSocket connection from {remote}: message over {_options.MaxMessageSize} bytes");
                    await connection.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too large", idle.Token).ConfigureAwait(false);
                    return;
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxMessageSize));
                continue;
            }

            idle.CancelAfter(_options.IdleTimeout);
            await HandleMessageAsync(connection, remote, buffer.AsMemory(0, count)).ConfigureAwait(false);
            count = 0;
        }
    }

    private async Task HandleMessageAsync(Connection connection, IPEndPoint remote, ReadOnlyMemory<byte> payload)
    {
        if (!SipWebSocketFrame.TryRead(payload.Span, _options.MaxMessageSize, out SipMessage? message, out SipFrameFailure failure, out SipResponse? errorResponse))
        {
            if (failure == SipFrameFailure.Empty)
            {
                return;
            }

            Interlocked.Increment(ref _malformedMessages);
            Diagnostic?.Invoke($"dropped a WebSocket message from {remote}: {failure}");
            if (_options.AnswerMalformedRequests && errorResponse is not null)
            {
                await connection.SendAsync(errorResponse.ToBytes(), _stopping.Token).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            MessageReceived?.Invoke(new SipInboundMessage(message, remote, this));
        }
#pragma warning disable CA1031 // A failing handler must not close the connection.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Diagnostic?.Invoke($"handler failed for a message from {remote}: {exception.Message}");
        }
    }

    private void RaiseClosed(IPEndPoint remote)
    {
        try
        {
            ConnectionClosed?.Invoke(remote);
        }
#pragma warning disable CA1031 // A failing handler must not fault the connection's task.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Diagnostic?.Invoke($"connection-closed handler failed for {remote}: {exception.Message}");
        }
    }

    /// <summary>One upgraded connection; sends are serialized (a WebSocket allows one at a time).</summary>
    private sealed class Connection(WebSocket socket) : IDisposable
    {
        private readonly SemaphoreSlim _sendGate = new(1, 1);

        public WebSocket Socket => socket;

        public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            // Text frames carry UTF-8 (RFC 7118 section 5.1); a message with other bytes in its body goes as binary.
            WebSocketMessageType type = Utf8.IsValid(bytes) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendGate.Release();
            }
        }

        public async Task CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendGate.Release();
            }
        }

        public void Dispose()
        {
            socket.Dispose();
            _sendGate.Dispose();
        }
    }
}
