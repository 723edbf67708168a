using System.Net;
using System.Net.Sockets;
using CallCenter.EdgeSip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class RtpPortPoolTests
{
    [Fact]
    public void Rent_GivesEvenPortsOfTheRange_UntilExhausted()
    {
        var pool = new RtpPortPool(IPAddress.Loopback, 42001, 42006);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                sockets.Add(pool.Rent());
            }

            int[] ports = sockets.Select(socket => ((IPEndPoint)socket.LocalEndPoint!).Port).Order().ToArray();
            Assert.Equal([42002, 42004, 42006], ports);
            Assert.Equal(3, pool.InUse);
            Assert.Throws<InvalidOperationException>(() => pool.Rent());

            int returned = ((IPEndPoint)sockets[1].LocalEndPoint!).Port;
            sockets[1].Dispose();
            pool.Return(returned);
            sockets[1] = pool.Rent();
            Assert.Equal(returned, ((IPEndPoint)sockets[1].LocalEndPoint!).Port);
        }
        finally
        {
            sockets.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public void Rent_SkipsAPortSomeoneElseHolds()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 42010));
        var pool = new RtpPortPool(IPAddress.Loopback, 42010, 42013);

        using Socket socket = pool.Rent();

        Assert.Equal(42012, ((IPEndPoint)socket.LocalEndPoint!).Port);
    }

    [Fact]
    public void Constructor_RefusesARangeWithoutAnEvenPort()
    {
        Assert.Throws<ArgumentException>(() => new RtpPortPool(IPAddress.Loopback, 42021, 42021));
    }
}
