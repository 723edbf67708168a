using System.Net;
using System.Net.Sockets;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// Hands out even UDP ports from <c>[firstPort, lastPort]</c> on one address for RTP (port + 1 stays free for RTCP,
/// which this engine does not use). Ports are taken round-robin so a just-released port is not reused at once, and a
/// port some other process holds is skipped. Thread-safe.
/// </summary>
public sealed class RtpPortPool
{
    /// <summary>Kernel receive/send buffer asked for on each RTP socket (the kernel may cap it at net.core.rmem_max).</summary>
    internal const int SocketBufferSize = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly HashSet<int> _inUse = [];
    private readonly int _firstPort;
    private readonly int _portCount;
    private int _next;

    public RtpPortPool(IPAddress address, int firstPort, int lastPort)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastPort, IPEndPoint.MaxPort);
        int first = firstPort + (firstPort & 1);
        if (lastPort < first)
        {
            throw new ArgumentException($"the range {firstPort}-{lastPort} holds no even port", nameof(lastPort));
        }

        Address = address;
        _firstPort = first;
        _portCount = ((lastPort - first) / 2) + 1;
    }

    public IPAddress Address { get; }

    /// <summary>How many even ports the range holds.</summary>
    public int Capacity => _portCount;

    /// <summary>How many ports are rented now.</summary>
    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>A UDP socket bound to the next free even port. Throws when every port of the range is rented or taken.</summary>
    internal Socket Rent()
    {
        lock (_lock)
        {
            for (int attempt = 0; attempt < _portCount; attempt++)
            {
                int port = _firstPort + (2 * _next);
                _next = (_next + 1) % _portCount;
                if (_inUse.Contains(port))
                {
                    continue;
                }

                var socket = new Socket(Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    socket.ReceiveBufferSize = SocketBufferSize;
                    socket.SendBufferSize = SocketBufferSize;
                    socket.Bind(new IPEndPoint(Address, port));
                }
                catch (SocketException)
                {
                    // Held by someone else: try the next one.
                    socket.Dispose();
                    continue;
                }

                _inUse.Add(port);
                return socket;
            }
        }

        throw new InvalidOperationException($"no free even RTP port in {Address} {_firstPort}-{_firstPort + (2 * (_portCount - 1))}");
    }

    internal void Return(int port)
    {
        lock (_lock)
        {
            _inUse.Remove(port);
        }
    }
}
