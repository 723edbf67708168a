using System.Net;
using System.Net.Sockets;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// Loopback ports that are free for both UDP and TCP when asked for. Other processes on the machine may take one
/// before the peer binds it, so callers that can retry on a bind error should.
/// </summary>
public static class FreePorts
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <summary>An even port whose <paramref name="count"/> consecutive ports are free for UDP and TCP on 127.0.0.1.</summary>
    public static int Next(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (Gate)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                int port;
                using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
                {
                    probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    port = ((IPEndPoint)probe.LocalEndPoint!).Port;
                }

                port &= ~1;
                if (port < 1024 || port + count > 65535 || Enumerable.Range(port, count).Any(Handed.Contains))
                {
                    continue;
                }

                if (Enumerable.Range(port, count).All(IsFree))
                {
                    for (var i = 0; i < count; i++)
                    {
                        Handed.Add(port + i);
                    }

                    return port;
                }
            }

            throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
        }
    }

    /// <summary>True when nothing holds <paramref name="port"/> on 127.0.0.1 for UDP nor TCP.</summary>
    public static bool IsFree(int port) => CanBind(port, SocketType.Dgram, ProtocolType.Udp) && CanBind(port, SocketType.Stream, ProtocolType.Tcp);

    /// <summary>True when a process holds <paramref name="port"/> on 127.0.0.1 for <paramref name="transport"/>.</summary>
    public static bool IsBound(int port, SipTransport transport) => transport == SipTransport.Tcp
        ? !CanBind(port, SocketType.Stream, ProtocolType.Tcp)
        : !CanBind(port, SocketType.Dgram, ProtocolType.Udp);

    private static bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
