using System.Net;
using System.Net.Sockets;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// Where an <see cref="RtpEndpoint"/> sends, and which received packets it accepts (symmetric RTP): the first packet
/// after <see cref="Set"/> latches onto its source's SSRC; afterwards packets from another address are dropped unless
/// they carry the latched SSRC (the same phone behind a NAT that changed its mapping), in which case the remote
/// follows them. Without <see cref="Set"/> the first sender is latched. Written by the receive loop (and
/// <see cref="Set"/>); read by the sender.
/// </summary>
internal sealed class RtpRemote(AddressFamily family)
{
    private readonly IPEndPoint _addressTemplate = new(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
    private volatile SocketAddress? _address;
    private volatile IPEndPoint? _endPoint;
    private volatile bool _latched;
    private uint _latchedSsrc;

    /// <summary>The remote's address as the socket takes it; null until known.</summary>
    public SocketAddress? Address => _address;

    public IPEndPoint? EndPoint => _endPoint;

    /// <summary>The remote address from SDP. Latching starts again: the next received packet's source wins.</summary>
    public void Set(IPEndPoint remote)
    {
        _latched = false;
        _address = remote.Serialize();
        _endPoint = remote;
    }

    /// <summary>Whether a packet from <paramref name="from"/> with <paramref name="ssrc"/> is the remote's (latching or following it).</summary>
    public bool Accept(SocketAddress from, uint ssrc)
    {
        SocketAddress? remote = _address;
        if (remote is not null && from.Equals(remote))
        {
            if (!_latched)
            {
                _latchedSsrc = ssrc;
                _latched = true;
            }

            return true;
        }

        if (_latched && ssrc != _latchedSsrc)
        {
            return false;
        }

        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        _latchedSsrc = ssrc;
        _endPoint = (IPEndPoint)_addressTemplate.Create(copy);
        _address = copy;
        _latched = true;
        return true;
    }
}
