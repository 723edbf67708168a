using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using CallCenter.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Transport;

/// <summary>SIP over WebSocket on loopback with the runtime's <see cref="ClientWebSocket"/> as the browser.</summary>
public sealed class WebSocketTransportTests
{
    private const string Options =
        "OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws1\r\nMax-Forwards: 70\r\n"
        + "To: <sip:edge@127.0.0.1>\r\nFrom: <sip:ann@127.0.0.1>;tag=abc\r\nCall-ID: ws-options-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task Message_OverTheSipSubprotocol_IsReceivedAndAnsweredOverTheSameConnection()
    {
        await using var transport = Start(out var received);
        using var client = await ConnectAsync(transport);
        Assert.Equal("sip", client.SubProtocol);

        await SendTextAsync(client, Options);
        SipInboundMessage inbound = await Await.Within(received.Reader.ReadAsync().AsTask(), "the OPTIONS over WebSocket");
        Assert.Equal("WS", inbound.Transport.Protocol);
        Assert.Equal("WS", inbound.Message.TopVia!.Transport);
        Assert.True(transport.IsConnected(inbound.RemoteEndPoint));

        await transport.SendAsync(CallCenter.Sip.Transactions.SipMessageFactory.CreateResponse((SipRequest)inbound.Message, 200, "OK"), inbound.RemoteEndPoint);
        (WebSocketMessageType type, string text) = await Await.Within(ReceiveAsync(client), "the 200 on the client's connection");
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.StartsWith("SIP/2.0 200 OK", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wss_WithTheConfiguredCertificate_CarriesSipOverTls()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        await using var transport = Start(out var received, new WebSocketTransportOptions { Certificate = certificate });
        Assert.Equal("WSS", transport.Protocol);
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("sip");
        client.Options.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();

        await Await.Within(client.ConnectAsync(new Uri($"wss://127.0.0.1:{transport.LocalEndPoint.Port}/"), CancellationToken.None), "the wss upgrade");
        await SendTextAsync(client, Options.Replace("SIP/2.0/WS ", "SIP/2.0/WSS ", StringComparison.Ordinal));
        SipInboundMessage inbound = await Await.Within(received.Reader.ReadAsync().AsTask(), "the OPTIONS over wss");

        Assert.Equal("WSS", inbound.Transport.Protocol);
        Assert.Equal("WSS", inbound.Message.TopVia!.Transport);
    }

    [Fact]
    public async Task Upgrade_WithoutTheSipSubprotocol_IsRefusedWithAReason()
    {
        await using var transport = Start(out _);
        using var client = new ClientWebSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(Uri(transport), CancellationToken.None));

        using var raw = new TcpClient();
        await raw.ConnectAsync(transport.LocalEndPoint);
        NetworkStream stream = raw.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        string answer = await Await.Within(new StreamReader(stream).ReadToEndAsync(), "the refusal");
        Assert.StartsWith("HTTP/1.1 400 Bad Request", answer, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Protocol: sip", answer, StringComparison.Ordinal);
        Assert.Equal(2, transport.RefusedUpgrades);
        Assert.Equal(0, transport.ConnectionCount);
    }

    [Fact]
    public async Task GarbageMessage_IsDroppedAndCounted_AndTheNextMessageStillWorks()
    {
        await using var transport = Start(out var received);
        using var client = await ConnectAsync(transport);

        await client.SendAsync(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x00 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await SendTextAsync(client, Options.Replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS", StringComparison.Ordinal));
        (_, string badRequest) = await Await.Within(ReceiveAsync(client), "400 to the request with a broken CSeq");
        Assert.StartsWith("SIP/2.0 400", badRequest, StringComparison.Ordinal);

        await SendTextAsync(client, Options);
        SipInboundMessage inbound = await Await.Within(received.Reader.ReadAsync().AsTask(), "the good OPTIONS after the garbage");
        Assert.Equal("ws-options-1", inbound.Message.CallId);
        Assert.Equal(2, transport.MalformedMessages);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task OversizeMessage_ClosesTheConnectionWith1009()
    {
        await using var transport = Start(out _, new WebSocketTransportOptions { MaxMessageSize = 1024 });
        using var client = await ConnectAsync(transport);

        await client.SendAsync(new byte[2048], WebSocketMessageType.Binary, true, CancellationToken.None);
        WebSocketReceiveResult result = await Await.Within(client.ReceiveAsync(new byte[256], CancellationToken.None), "the close frame");
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
        Assert.Equal(1, transport.OversizeMessages);
    }

    [Fact]
    public async Task ClientClose_EndsTheConnection_AndSendsToItFail()
    {
        await using var transport = Start(out var received);
        var closed = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.ConnectionClosed += remote => closed.TrySetResult(remote);
        using var client = await ConnectAsync(transport);
        await SendTextAsync(client, Options);
        IPEndPoint remote = (await Await.Within(received.Reader.ReadAsync().AsTask(), "the OPTIONS")).RemoteEndPoint;

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(remote, await Await.Within(closed.Task, "the connection-closed event"));
        Assert.False(transport.IsConnected(remote));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await transport.SendAsync(SipMessageParser.Parse(Encoding.ASCII.GetBytes(Options)), remote));
    }

    [Fact]
    public async Task SilentConnection_IsClosedAfterTheIdleTimeout()
    {
        var time = new FakeTimeProvider();
        await using var transport = Start(out var received, new WebSocketTransportOptions { IdleTimeout = TimeSpan.FromMinutes(2), TimeProvider = time });
        var closed = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.ConnectionClosed += remote => closed.TrySetResult(remote);
        using var client = await ConnectAsync(transport);
        await SendTextAsync(client, Options);
        await Await.Within(received.Reader.ReadAsync().AsTask(), "the OPTIONS that restarts the idle timer");

        time.Advance(TimeSpan.FromMinutes(3));

        await Await.Within(closed.Task, "the idle connection closed");
        Assert.Equal(1, transport.IdleClosures);
    }

    [Fact]
    public async Task Upgrade_BeyondMaxConnections_IsRefused503()
    {
        await using var transport = Start(out var received, new WebSocketTransportOptions { MaxConnections = 1 });
        using var first = await ConnectAsync(transport);
        await SendTextAsync(first, Options);
        await Await.Within(received.Reader.ReadAsync().AsTask(), "the first connection in use");

        using var second = new ClientWebSocket();
        second.Options.AddSubProtocol("sip");
        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(Uri(transport), CancellationToken.None));
        Assert.Equal(1, transport.RefusedUpgrades);
    }

    private static WebSocketSipTransport Start(out System.Threading.Channels.Channel<SipInboundMessage> received, WebSocketTransportOptions? options = null)
    {
        var transport = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), options);
        var channel = System.Threading.Channels.Channel.CreateUnbounded<SipInboundMessage>();
        transport.MessageReceived += message => channel.Writer.TryWrite(message);
        transport.Start();
        received = channel;
        return transport;
    }

    private static Uri Uri(WebSocketSipTransport transport) => new($"ws://127.0.0.1:{transport.LocalEndPoint.Port}/");

    private static async Task<ClientWebSocket> ConnectAsync(WebSocketSipTransport transport)
    {
        var client = new ClientWebSocket();
        client.Options.AddSubProtocol("sip");
        await Await.Within(client.ConnectAsync(Uri(transport), CancellationToken.None), "the WebSocket upgrade");
        return client;
    }

    private static Task SendTextAsync(ClientWebSocket client, string text) =>
        client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(ClientWebSocket client)
    {
        var buffer = new byte[64 * 1024];
        int count = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
            count += result.Count;
        }
        while (!result.EndOfMessage);

        return (result.MessageType, Encoding.UTF8.GetString(buffer, 0, count));
    }
}
