using System.Net.Sockets;

namespace CallCenter.Sip.Transport;

/// <summary>
/// The accept loop the stream transports (TCP, WebSocket) share: each accepted socket, with Nagle off, goes to
/// <paramref name="accepted"/>; a failed accept is reported and the loop goes on; it ends when stopping or the listener closes.
/// </summary>
internal static class TcpAcceptLoop
{
    public static async Task RunAsync(TcpListener listener, Action<Socket> accepted, Action<string>? diagnostic, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                diagnostic?.Invoke($"accept failed: {exception.SocketErrorCode}");
                continue;
            }

            socket.NoDelay = true;
            accepted(socket);
        }
    }
}
