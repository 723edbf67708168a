using System.Net;
using System.Net.Sockets;
using CallCenter.WebRtc.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Dtls;

/// <summary>The handshake over real UDP sockets on 127.0.0.1, with the demultiplexing a caller does.</summary>
public sealed class DtlsSrtpUdpTests
{
    [Fact]
    public async Task Handshake_OverLoopbackUdp_CompletesWithMirroredKeys()
    {
        var time = new FakeTimeProvider();
        using var serverSocket = Bind();
        using var clientSocket = Bind();
        using var strangerSocket = Bind();
        var serverCertificate = DtlsCertificate.CreateSelfSigned(time);
        var clientCertificate = DtlsCertificate.CreateSelfSigned(time);
        using var server = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Server, LocalCertificate = serverCertificate, RemoteFingerprints = [clientCertificate.Fingerprint] },
            new UdpSender(serverSocket, clientSocket.LocalEndPoint!),
            time);
        using var client = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Client, LocalCertificate = clientCertificate, RemoteFingerprints = [serverCertificate.Fingerprint] },
            new UdpSender(clientSocket, serverSocket.LocalEndPoint!),
            time);
        using var stop = new CancellationTokenSource();
        var serverPump = new UdpPump(serverSocket, clientSocket.LocalEndPoint!, server);
        var clientPump = new UdpPump(clientSocket, serverSocket.LocalEndPoint!, client);
        var pumps = Task.WhenAll(serverPump.RunAsync(stop.Token), clientPump.RunAsync(stop.Token));

        // A datagram from an address ICE did not select never reaches the session: the caller drops it.
        await strangerSocket.SendToAsync(DtlsSrtpSessionTests.ValidLookingRecord(), serverSocket.LocalEndPoint!);
        var serverHandshake = server.HandshakeAsync();
        var clientHandshake = client.HandshakeAsync();
        var serverResult = await Bounded.Within(serverHandshake, "the server's handshake over UDP");
        var clientResult = await Bounded.Within(clientHandshake, "the client's handshake over UDP");
        await stop.CancelAsync();
        await Bounded.Within(pumps, "the UDP pumps to stop");

        Assert.True(serverResult.Succeeded, serverResult.Detail);
        Assert.True(clientResult.Succeeded, clientResult.Detail);
        Assert.Equal(DtlsSrtpProfile.Aes128CmHmacSha1_80, serverResult.Keys!.Profile);
        Assert.Equal(clientResult.Keys!.LocalMasterKey, serverResult.Keys.RemoteMasterKey);
        Assert.Equal(clientResult.Keys.LocalMasterSalt, serverResult.Keys.RemoteMasterSalt);
        Assert.Equal(serverResult.Keys.LocalMasterKey, clientResult.Keys.RemoteMasterKey);
        Assert.Equal(serverResult.Keys.LocalMasterSalt, clientResult.Keys.RemoteMasterSalt);
        Assert.Equal(1, serverPump.FromStrangers);
        Assert.Equal(0, server.Counters.Dropped);
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private sealed class UdpSender(Socket socket, EndPoint remote) : IDtlsDatagramSender
    {
        public void SendDatagram(ReadOnlySpan<byte> datagram) => socket.SendTo(datagram, SocketFlags.None, remote);
    }

    /// <summary>What the edge's port reader will do: take datagrams from the selected address only and hand them in.</summary>
    private sealed class UdpPump(Socket socket, EndPoint selectedRemote, DtlsSrtpSession session)
    {
        public int FromStrangers { get; private set; }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[2048];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
                    if (!received.RemoteEndPoint.Equals(selectedRemote))
                    {
                        FromStrangers++;
                        continue;
                    }

                    session.DeliverDatagram(buffer.AsSpan(0, received.ReceivedBytes));
                }
            }
            catch (OperationCanceledException)
            {
                // The test is done.
            }
        }
    }
}
