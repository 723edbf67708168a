using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallState = CallCenter.Model.CallState;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using CallCenter.Sip.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// A browser-like softphone over SIP over WebSocket (RFC 7118) on a second edge of the fixture's cluster with ws on
/// loopback: it registers with digest, is offered a call on the same connection and answers it; its connection closing
/// leaves the agent without a phone.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class WebSocketPhoneTests(EdgeFixture fixture)
{
    private const string Agent = "ned";

    [Fact]
    public async Task WebSocketPhone_RegistersWithDigest_AndAnswersAnOfferedCallOnTheSameConnection()
    {
        await using var edge = await StartEdgeAsync(34200);
        var agent = fixture.Grains.GetGrain<IAgentGrain>(Agent);
        try
        {
            await using var phone = await WebSocketPhone.ConnectAsync(edge.WebSocket!.LocalEndPoint.Port);
            Assert.Equal(200, (await phone.RegisterAsync(Agent, Agent + "-pw")).StatusCode);
            await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).PhoneContact == phone.Contact, "the agent's phone is the WebSocket contact");
            await fixture.MakeAvailableAsync(Agent);

            await using var caller = new RawCallerDialog(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, edge.Port), EdgeSession.NewCallerNumber(), "7001");
            Assert.Equal(200, (await caller.InviteAsync(caller.Sdp())).StatusCode);
            await caller.AckAsync();

            SipRequest invite = await phone.NextRequestAsync(SipMethods.Invite);
            Assert.Equal("WS", invite.TopVia!.Transport);
            Assert.Contains("m=audio ", Encoding.UTF8.GetString(invite.Body), StringComparison.Ordinal);
            using var rtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await phone.SendAsync(Answer(invite, 180, "Ringing", phone.Contact, sdp: null));
            await phone.SendAsync(Answer(invite, 200, "OK", phone.Contact, PhoneSdp(((IPEndPoint)rtp.Client.LocalEndPoint!).Port)));

            SipRequest ack = await phone.NextRequestAsync(SipMethods.Ack);
            Assert.Equal(invite.CallId, ack.CallId);
            await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).Calls.Count == 1, "the agent talking on the WebSocket phone");
            var call = fixture.Grains.GetGrain<ICallGrain>((await agent.GetStatusAsync()).Calls[0].CallId);
            await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Connected, "the call connected");

            Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
            SipRequest bye = await phone.NextRequestAsync(SipMethods.Bye);
            await phone.SendAsync(SipMessageFactory.CreateResponse(bye, 200, "OK"));
            Assert.Equal(Agent, (await fixture.EndedCallOfAsync(caller.CallerNumber)).AgentId);
        }
        finally
        {
            await agent.LogoutAsync();
            await agent.SetPhoneAsync(null, default);
        }
    }

    [Fact]
    public async Task WebSocketPhone_ConnectionCloses_TheAgentHasNoPhoneAsAfterExpiry()
    {
        await using var edge = await StartEdgeAsync(34300);
        var agent = fixture.Grains.GetGrain<IAgentGrain>(Agent);
        try
        {
            var phone = await WebSocketPhone.ConnectAsync(edge.WebSocket!.LocalEndPoint.Port);
            Assert.Equal(200, (await phone.RegisterAsync(Agent, Agent + "-pw")).StatusCode);
            await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).PhoneContact == phone.Contact, "the agent's phone is the WebSocket contact");

            await phone.DisposeAsync();

            await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).PhoneContact is null, "the phone gone with its connection");
            Assert.Empty(edge.Registrar.Lookup(Agent));
        }
        finally
        {
            await agent.SetPhoneAsync(null, default);
        }
    }

    [Fact]
    public async Task GarbageFromAWebSocketPhone_IsCounted_AndItsNextRegisterWorks()
    {
        await using var edge = await StartEdgeAsync(34400);
        var agent = fixture.Grains.GetGrain<IAgentGrain>(Agent);
        try
        {
            await using var phone = await WebSocketPhone.ConnectAsync(edge.WebSocket!.LocalEndPoint.Port);
            await phone.SendRawAsync([0x16, 0x03, 0x01, 0x00, 0xff, 0x00]);

            Assert.Equal(200, (await phone.RegisterAsync(Agent, Agent + "-pw")).StatusCode);
            Assert.Equal(1, edge.WebSocket.MalformedMessages);
        }
        finally
        {
            await agent.SetPhoneAsync(null, default);
        }
    }

    private async Task<SipEdge> StartEdgeAsync(int rtpPortFirst)
    {
        var options = new SipEdgeOptions
        {
            SiteId = EdgeFixture.Site,
            Port = 0,
            Realm = EdgeFixture.Realm,
            DigestAlgorithms = ["MD5"],
            RtpPortFirst = rtpPortFirst,
            RtpPortLast = rtpPortFirst + 99,
            PromptDirectory = fixture.Options.PromptDirectory,
            Trunks = [EdgeFixture.TrunkAddress + "/32"],
            Accounts = [new SipAccountOptions { Username = Agent, Password = Agent + "-pw", AgentId = Agent }],
            WebSocket = new SipWebSocketOptions { Port = FreeTcpPort() },
        };
        Assert.Empty(SipEdgeOptionsValidator.Validate(options));
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EdgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var edge = new SipEdge(options, fixture.Grains, TimeProvider.System, metrics, new FileLogger<SipEdge>(Path.Combine(AppContext.BaseDirectory, "edge-websocket.log")));
        await edge.StartAsync();
        return edge;
    }

    private static int FreeTcpPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static SipResponse Answer(SipRequest invite, int status, string reason, string contact, string? sdp)
    {
        var response = SipMessageFactory.CreateResponse(invite, status, reason, "wsphone");
        response.Headers.Add(SipHeaderNames.Contact, $"<{contact}>");
        if (sdp is not null)
        {
            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = Encoding.UTF8.GetBytes(sdp);
        }

        return response;
    }

    private static string PhoneSdp(int port) =>
        $"v=0\r\no=ws 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port.ToString(CultureInfo.InvariantCulture)} RTP/AVP 0 101\r\n"
        + "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
}

/// <summary>What a browser's SIP library does on the wire, over <see cref="ClientWebSocket"/> with the "sip" subprotocol.</summary>
internal sealed class WebSocketPhone : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket _socket;
    private readonly Channel<SipMessage> _inbound = System.Threading.Channels.Channel.CreateUnbounded<SipMessage>();
    private readonly Task _receiveLoop;
    private readonly string _host = Guid.NewGuid().ToString("N")[..12] + ".invalid";

    private WebSocketPhone(ClientWebSocket socket)
    {
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The registered Contact: an ".invalid" host with transport=ws, as JsSIP and SIP.js send.</summary>
    public string Contact { get; private set; } = "";

    public static async Task<WebSocketPhone> ConnectAsync(int port)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), CancellationToken.None).WaitAsync(Wait);
        return new WebSocketPhone(socket);
    }

    /// <summary>REGISTER, the 401's challenge answered with digest, and the final response.</summary>
    public async Task<SipResponse> RegisterAsync(string user, string password)
    {
        Contact = $"sip:{user}@{_host};transport=ws";
        string callId = Guid.NewGuid().ToString("N");
        SipRequest first = Register(user, callId, 1);
        await SendAsync(first);
        SipResponse challenge = await NextResponseAsync();
        if (challenge.StatusCode != 401)
        {
            return challenge;
        }

        DigestClientResult answer = new DigestClient(user, password).Respond(challenge, first);
        SipRequest second = Register(user, callId, 2);
        answer.ApplyTo(second);
        await SendAsync(second);
        return await NextResponseAsync();
    }

    public Task SendAsync(SipMessage message) => SendRawAsync(message.ToBytes(), WebSocketMessageType.Text);

    public Task SendRawAsync(byte[] payload, WebSocketMessageType type = WebSocketMessageType.Binary) =>
        _socket.SendAsync(payload, type, true, CancellationToken.None);

    public async Task<SipRequest> NextRequestAsync(string method)
    {
        using var limit = new CancellationTokenSource(Wait);
        while (true)
        {
            if (await _inbound.Reader.ReadAsync(limit.Token) is SipRequest request && request.Method == method)
            {
                return request;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(Wait);
        }

        try
        {
            await _receiveLoop.WaitAsync(Wait);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private async Task<SipResponse> NextResponseAsync()
    {
        using var limit = new CancellationTokenSource(Wait);
        while (true)
        {
            if (await _inbound.Reader.ReadAsync(limit.Token) is SipResponse response && response.StatusCode >= 200)
            {
                return response;
            }
        }
    }

    private SipRequest Register(string user, string callId, int cseq)
    {
        var text = $"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS {_host};branch=z9hG4bK{Guid.NewGuid():N}\r\nMax-Forwards: 70\r\n"
            + $"To: <sip:{user}@127.0.0.1>\r\nFrom: <sip:{user}@127.0.0.1>;tag=ws{cseq}\r\nCall-ID: {callId}\r\nCSeq: {cseq} REGISTER\r\n"
            + $"Contact: <{Contact}>;expires=600\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n";
        return (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(text));
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        while (_socket.State == WebSocketState.Open)
        {
            int count = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                count += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (SipMessageParser.TryParse(buffer.AsSpan(0, count), out SipMessage? message))
            {
                _inbound.Writer.TryWrite(message);
            }
        }
    }
}
