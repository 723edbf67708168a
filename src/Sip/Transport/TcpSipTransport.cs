using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CallCenter.Sip.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 section 18.3): a listener plus outbound connections, one connection per
/// remote endpoint. Responses go back over the connection the request came in on (a send to an
/// endpoint uses the existing connection to it). Messages are framed by Content-Length; a
/// connection whose framing breaks (missing Content-Length, oversize message) is closed without
/// touching the others. A framed message that does not parse is answered with 400 when possible.
/// </summary>
public sealed class TcpSipTransport : ISipTransport
{
    private readonly TcpListener _listener;
    private readonly SipTransportOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<IPEndPoint, Connection> _connections = new();
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private Task? _acceptLoop;

    /// <summary>Binds and listens at once; port 0 picks a free port, reported by <see cref="LocalEndPoint"/>.</summary>
    public TcpSipTransport(IPEndPoint localEndPoint, SipTransportOptions? options = null)
    {
        _options = options ?? new SipTransportOptions();
        _listener = new TcpListener(localEndPoint);
        _listener.Start();
        LocalEndPoint = (IPEndPoint)_listener.LocalEndpoint;
    }

    public event Action<SipInboundMessage>? MessageReceived;

    /// <summary>Raised when a connection is closed for bad framing or a handler fails; for logging.</summary>
    public event Action<string>? Diagnostic;

    public string Protocol => "TCP";

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Open connections (inbound and outbound).</summary>
    public int ConnectionCount => _connections.Count;

    public void Start() => _acceptLoop ??= Task.Run(AcceptLoopAsync);

    public async ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        Connection connection = await GetOrConnectAsync(destination, cancellationToken).ConfigureAwait(false);
        await connection.WriteAsync(message.ToBytes(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (Connection connection in _connections.Values)
        {
            connection.Close();
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _connectGate.Dispose();
        _stopping.Dispose();
    }

    private async Task<Connection> GetOrConnectAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        if (_connections.TryGetValue(destination, out Connection? existing))
        {
            return existing;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connections.TryGetValue(destination, out existing))
            {
                return existing;
            }

            var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            return Register(socket, destination);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private Connection Register(Socket socket, IPEndPoint remote)
    {
        var connection = new Connection(this, socket, remote);
        _connections[remote] = connection;
        _ = Task.Run(connection.ReadLoopAsync);
        return connection;
    }

    private Task AcceptLoopAsync() =>
        TcpAcceptLoop.RunAsync(_listener, socket => Register(socket, (IPEndPoint)socket.RemoteEndPoint!), message => Diagnostic?.Invoke(message), _stopping.Token);

    private sealed class Connection
    {
        private readonly TcpSipTransport _owner;
        private readonly Socket _socket;
        private readonly IPEndPoint _remote;
        private readonly SemaphoreSlim _writeGate = new(1, 1);
        private readonly SipStreamFramer _framer;
        private int _closed;

        public Connection(TcpSipTransport owner, Socket socket, IPEndPoint remote)
        {
            _owner = owner;
            _socket = socket;
            _remote = remote;
            _framer = new SipStreamFramer(owner._options.MaxMessageSize);
        }

        public async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                int sent = 0;
                while (sent < bytes.Length)
                {
                    sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                Close();
                throw;
            }
            finally
            {
                _writeGate.Release();
            }
        }

        public async Task ReadLoopAsync()
        {
            byte[] buffer = new byte[16 * 1024];
            try
            {
                while (!_owner._stopping.IsCancellationRequested)
                {
                    int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _owner._stopping.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    _framer.Append(buffer.AsSpan(0, read));
                    while (_framer.TryReadMessage(out byte[]? frame))
                    {
                        await HandleFrameAsync(frame).ConfigureAwait(false);
                    }
                }
            }
            catch (SipFramingException exception)
            {
                _owner.Diagnostic?.Invoke($"closing connection from {_remote}: {exception.Message}");
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The peer went away or we are shutting down.
            }
            finally
            {
                Close();
            }
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            _owner._connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(_remote, this));
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
            }

            _socket.Dispose();
        }

        private async Task HandleFrameAsync(byte[] frame)
        {
            if (!SipMessageParser.TryParse(frame, out SipMessage? message, out SipParseException? error))
            {
                _owner.Diagnostic?.Invoke($"malformed message from {_remote}: {error.Message}");
                if (_owner._options.AnswerMalformedRequests && SipMalformedRequestResponder.TryCreateResponse(frame, error) is { } response)
                {
                    await WriteAsync(response.ToBytes(), CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }

            try
            {
                _owner.MessageReceived?.Invoke(new SipInboundMessage(message, _remote, _owner));
            }
#pragma warning disable CA1031 // A failing handler must not close the connection.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _owner.Diagnostic?.Invoke($"handler failed for a message from {_remote}: {exception.Message}");
            }
        }
    }
}
