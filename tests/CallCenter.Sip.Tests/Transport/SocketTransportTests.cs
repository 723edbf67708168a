using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.Sip.Tests.Transactions;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Transport;

/// <summary>Real sockets on 127.0.0.1 with ephemeral ports. Timers run on a fake clock, so nothing is retransmitted.</summary>
public sealed class SocketTransportTests
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Udp_RequestBetweenTwoLayers_GetsResponse()
    {
        await using var clientTransport = new UdpSipTransport(AnyLoopbackPort);
        await using var serverTransport = new UdpSipTransport(AnyLoopbackPort);
        Assert.NotEqual(0, serverTransport.LocalEndPoint.Port);
        using var client = new SipTransactionLayer(clientTransport, new FakeTimeProvider());
        using var server = AnsweringServer(serverTransport);
        client.Start();

        SipClientTransaction transaction = client.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), serverTransport.LocalEndPoint);
        SipResponse response = await Await.Within(transaction.FinalResponse, "200 OK to OPTIONS over UDP");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(transaction.Branch, response.TopVia!.Branch);
        Assert.Equal(clientTransport.LocalEndPoint.Port, response.TopVia.Port);
    }

    [Fact]
    public async Task Tcp_RequestBetweenTwoLayers_GetsResponseOverSameConnection()
    {
        await using var clientTransport = new TcpSipTransport(AnyLoopbackPort);
        await using var serverTransport = new TcpSipTransport(AnyLoopbackPort);
        using var client = new SipTransactionLayer(clientTransport, new FakeTimeProvider());
        using var server = AnsweringServer(serverTransport);
        client.Start();

        SipClientTransaction invite = client.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), serverTransport.LocalEndPoint);
        SipResponse response = await Await.Within(invite.FinalResponse, "200 OK to INVITE over TCP");
        SipClientTransaction options = client.SendRequest(TransactionHarness.NewRequest(SipMethods.Options, 2), serverTransport.LocalEndPoint);
        await Await.Within(options.FinalResponse, "200 OK to a second request over the same TCP connection");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("TCP", response.TopVia!.Transport);
        Assert.Equal(1, clientTransport.ConnectionCount);
    }

    [Fact]
    public async Task Udp_GarbageDatagram_IsDroppedAndNextRequestIsServed()
    {
        await using var serverTransport = new UdpSipTransport(AnyLoopbackPort);
        var received = new TaskCompletionSource<SipServerTransaction>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new SipTransactionLayer(serverTransport, new FakeTimeProvider());
        server.RequestReceived += transaction => received.TrySetResult(transaction);
        server.Start();
        using var raw = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await raw.SendAsync(new byte[] { 0xFF, 0x00, 0x13, 0x37, (byte)'\r', (byte)'\n' }, serverTransport.LocalEndPoint, Await.Token());
        await raw.SendAsync(Encoding.ASCII.GetBytes("this is not sip\r\n\r\n"), serverTransport.LocalEndPoint, Await.Token());
        string good = SipStreamFramerTests.Options("good", string.Empty, $"SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)raw.Client.LocalEndPoint!).Port}");
        await raw.SendAsync(Encoding.ASCII.GetBytes(good), serverTransport.LocalEndPoint, Await.Token());

        SipServerTransaction transaction = await Await.Within(received.Task, "the good OPTIONS after two garbage datagrams");
        Assert.Equal("call-good", transaction.Request.CallId);
        Assert.Equal(2, serverTransport.DroppedCount);
    }

    [Fact]
    public async Task Udp_MalformedRequestWithResponseHeaders_IsAnswered400()
    {
        await using var serverTransport = new UdpSipTransport(AnyLoopbackPort);
        serverTransport.Start();
        using var raw = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        string bad = SipStreamFramerTests.Options("bad", string.Empty, "SIP/2.0/UDP 127.0.0.1:5999").Replace("CSeq: 1 OPTIONS", "CSeq: 1 BYE", StringComparison.Ordinal);

        await raw.SendAsync(Encoding.ASCII.GetBytes(bad), serverTransport.LocalEndPoint, Await.Token());
        UdpReceiveResult answer = await Await.Within(raw.ReceiveAsync(Await.Token()).AsTask(), "a 400 answer to a request with a CSeq method mismatch");

        var response = Assert.IsType<SipResponse>(SipMessageParser.Parse(answer.Buffer));
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("call-bad", response.CallId);
        Assert.Equal("z9hG4bK-bad", response.TopVia!.Branch);
    }

    [Fact]
    public async Task Tcp_TwoMessagesInOneSegment_AreBothServed()
    {
        await using var serverTransport = new TcpSipTransport(AnyLoopbackPort);
        using var server = AnsweringServer(serverTransport);
        using var raw = new TcpClient { NoDelay = true };
        await raw.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());
        NetworkStream stream = raw.GetStream();

        byte[] both = Encoding.ASCII.GetBytes(SipStreamFramerTests.Options("one", "x") + SipStreamFramerTests.Options("two", string.Empty));
        await stream.WriteAsync(both, Await.Token());

        List<SipMessage> responses = await Await.Within(ReadMessagesAsync(stream, 2), "two 200 OK responses on the connection");
        Assert.Equal(["call-one", "call-two"], responses.Select(response => response.CallId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tcp_MessageSplitOverSeveralWrites_IsReassembled()
    {
        await using var serverTransport = new TcpSipTransport(AnyLoopbackPort);
        using var server = AnsweringServer(serverTransport);
        using var raw = new TcpClient { NoDelay = true };
        await raw.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());
        NetworkStream stream = raw.GetStream();
        byte[] message = Encoding.ASCII.GetBytes("\r\n\r\n" + SipStreamFramerTests.Options("split", "0123456789"));

        int[] cuts = [3, 20, 60, message.Length - 4, message.Length];
        int start = 0;
        foreach (int cut in cuts)
        {
            await stream.WriteAsync(message.AsMemory(start, cut - start), Await.Token());
            await stream.FlushAsync(Await.Token());
            start = cut;
        }

        SipMessage response = Assert.Single(await Await.Within(ReadMessagesAsync(stream, 1), "a 200 OK to the split OPTIONS"));
        Assert.Equal("call-split", response.CallId);
    }

    [Fact]
    public async Task Tcp_BrokenFramingOnOneConnection_ClosesItAndOthersKeepWorking()
    {
        await using var serverTransport = new TcpSipTransport(AnyLoopbackPort, new SipTransportOptions { MaxMessageSize = 2048 });
        using var server = AnsweringServer(serverTransport);
        using var good = new TcpClient { NoDelay = true };
        using var bad = new TcpClient { NoDelay = true };
        await good.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());
        await bad.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());

        await bad.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GARBAGE WITHOUT LENGTH\r\nX: y\r\n\r\n"), Await.Token());
        int read = await Await.Within(bad.GetStream().ReadAsync(new byte[64], Await.Token()).AsTask(), "the server to close the connection with broken framing");
        Assert.Equal(0, read);

        await good.GetStream().WriteAsync(Encoding.ASCII.GetBytes(SipStreamFramerTests.Options("after", string.Empty)), Await.Token());
        SipMessage response = Assert.Single(await Await.Within(ReadMessagesAsync(good.GetStream(), 1), "a 200 OK on the healthy connection"));
        Assert.Equal("call-after", response.CallId);

        using var fresh = new TcpClient { NoDelay = true };
        await fresh.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());
        await fresh.GetStream().WriteAsync(Encoding.ASCII.GetBytes(SipStreamFramerTests.Options("fresh", string.Empty)), Await.Token());
        Assert.Single(await Await.Within(ReadMessagesAsync(fresh.GetStream(), 1), "a 200 OK on a new connection"));
    }

    [Fact]
    public async Task Tcp_FramedButUnparsableRequest_IsAnswered400AndConnectionStaysOpen()
    {
        await using var serverTransport = new TcpSipTransport(AnyLoopbackPort);
        using var server = AnsweringServer(serverTransport);
        using var raw = new TcpClient { NoDelay = true };
        await raw.ConnectAsync(serverTransport.LocalEndPoint, Await.Token());
        NetworkStream stream = raw.GetStream();
        string bad = SipStreamFramerTests.Options("bad", string.Empty).Replace("CSeq: 1 OPTIONS", "CSeq: 1 BYE", StringComparison.Ordinal);

        await stream.WriteAsync(Encoding.ASCII.GetBytes(bad + SipStreamFramerTests.Options("next", string.Empty)), Await.Token());

        List<SipMessage> responses = await Await.Within(ReadMessagesAsync(stream, 2), "a 400 and then a 200 on the same connection");
        Assert.Equal(400, ((SipResponse)responses[0]).StatusCode);
        Assert.Equal(200, ((SipResponse)responses[1]).StatusCode);
    }

    private static SipTransactionLayer AnsweringServer(ISipTransport transport)
    {
        var layer = new SipTransactionLayer(transport, new FakeTimeProvider());
        layer.RequestReceived += transaction => transaction.Respond(200, "OK", "server");
        layer.Start();
        return layer;
    }

    private static async Task<List<SipMessage>> ReadMessagesAsync(NetworkStream stream, int count)
    {
        var framer = new SipStreamFramer(64 * 1024);
        var messages = new List<SipMessage>();
        byte[] buffer = new byte[4096];
        while (messages.Count < count)
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException($"connection closed after {messages.Count} of {count} messages");
            }

            framer.Append(buffer.AsSpan(0, read));
            while (framer.TryReadMessage(out byte[]? frame))
            {
                messages.Add(SipMessageParser.Parse(frame));
            }
        }

        return messages;
    }
}
