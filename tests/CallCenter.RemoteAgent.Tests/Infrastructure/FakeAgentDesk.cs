using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using CallCenter.Gateway.V1;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallCenter.RemoteAgent.Tests.Infrastructure;

/// <summary>An RPC the fake server received, with the authorization header it carried.</summary>
public sealed record ReceivedCall(string Method, string? Authorization, IMessage Request);

/// <summary>
/// A scripted AgentDesk server: it answers only as each test tells it, to exercise the client's handling of statuses
/// and dropped streams. It is no model of the real gateway.
/// </summary>
public sealed class FakeAgentDesk
{
    public const string Secret = "right-secret";

    private readonly Channel<ReceivedCall> _received = Channel.CreateUnbounded<ReceivedCall>();
    private readonly Channel<OpenStream> _streams = Channel.CreateUnbounded<OpenStream>();
    private int _logins;
    private int _streamCount;

    public ConcurrentQueue<ReceivedCall> Received { get; } = new();
    public int Logins => Volatile.Read(ref _logins);
    public int StreamCount => Volatile.Read(ref _streamCount);

    /// <summary>Login number n (1 first): by default the right secret gets "token-n", anything else UNAUTHENTICATED.</summary>
    public Func<LoginRequest, int, LoginReply> OnLogin { get; set; } = (request, n) => request.Secret == Secret
        ? new LoginReply
        {
            Token = $"token-{n}",
            AgentId = request.UserId,
            SessionId = "session-1",
            Role = Role.Agent,
            ReasonCodes = { "Break", "Lunch" },
            DispositionCodes = { "SOLVED", "CALLBACK" },
        }
        : throw new RpcException(new Status(StatusCode.Unauthenticated, "wrong user id or secret"));

    /// <summary>Every unary command but Login: by default a plain success.</summary>
    public Func<ReceivedCall, CommandReply> OnCommand { get; set; } = _ => new CommandReply();

    public Func<ReceivedCall, CustomerView> OnLookUp { get; set; } = _ => new CustomerView { Name = "Ann" };

    /// <summary>ProvisionPhone: by default the account of the request's session, with a generated password.</summary>
    public Func<ReceivedCall, PhoneAccountReply> OnProvisionPhone { get; set; } = _ =>
        new PhoneAccountReply { Username = "alice", Realm = "callcenter", Registrar = "edge.example:5060", Password = "Generated-Once-2026" };

    /// <summary>The next RPC named <paramref name="method"/>, skipping others.</summary>
    public async Task<ReceivedCall> NextAsync(string method)
    {
        while (true)
        {
            var call = await _received.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Signal);
            if (call.Method == method)
            {
                return call;
            }
        }
    }

    /// <summary>The next event stream a client opened.</summary>
    public Task<OpenStream> NextStreamAsync() => _streams.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Signal);

    internal Task<LoginReply> Login(LoginRequest request, ServerCallContext context)
    {
        Record("Login", request, context);
        return Task.FromResult(OnLogin(request, Interlocked.Increment(ref _logins)));
    }

    internal Task<CommandReply> Command(string method, IMessage request, ServerCallContext context) =>
        Task.FromResult(OnCommand(Record(method, request, context)));

    internal Task<CustomerView> LookUpCustomer(CallCommand request, ServerCallContext context) =>
        Task.FromResult(OnLookUp(Record("LookUpCustomer", request, context)));

    internal Task<PhoneAccountReply> ProvisionPhone(ProvisionPhoneRequest request, ServerCallContext context) =>
        Task.FromResult(OnProvisionPhone(Record("ProvisionPhone", request, context)));

    internal async Task Events(EventsRequest request, IServerStreamWriter<AgentEvent> writer, ServerCallContext context)
    {
        var received = Record("Events", request, context);
        var stream = new OpenStream(Interlocked.Increment(ref _streamCount), received.Authorization, writer, context);
        _streams.Writer.TryWrite(stream);
        // The stream stays open until the test closes or drops it, or the client goes away.
        await stream.Ended.WaitAsync(context.CancellationToken);
    }

    private ReceivedCall Record(string method, IMessage request, ServerCallContext context)
    {
        var call = new ReceivedCall(method, context.RequestHeaders.GetValue("authorization"), request);
        Received.Enqueue(call);
        _received.Writer.TryWrite(call);
        return call;
    }
}

/// <summary>One event stream the fake server holds open for a client.</summary>
public sealed class OpenStream(int number, string? authorization, IServerStreamWriter<AgentEvent> writer, ServerCallContext context)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Number { get; } = number;
    public string? Authorization { get; } = authorization;
    internal Task Ended => _ended.Task;

    public Task WriteAsync(AgentEvent agentEvent) => writer.WriteAsync(agentEvent);

    /// <summary>Ends the stream with an error status, as a failing server would.</summary>
    public void Drop(StatusCode status = StatusCode.Unavailable, Metadata? trailers = null) =>
        _ended.TrySetException(new RpcException(new Status(status, "dropped by the test"), trailers ?? Metadata.Empty));

    /// <summary>Cuts the HTTP/2 stream without a status, as a lost connection would.</summary>
    public void Abort()
    {
        context.GetHttpContext().Abort();
        _ended.TrySetResult();
    }

    public void Close() => _ended.TrySetResult();
}

/// <summary>Binds <see cref="FakeAgentDesk"/> to the AgentDesk methods by hand: the client project compiles client stubs only.</summary>
internal sealed class FakeAgentDeskMethods : IServiceMethodProvider<FakeAgentDesk>
{
    private const string Service = "callcenter.gateway.v1.AgentDesk";

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<FakeAgentDesk> context)
    {
        context.AddUnaryMethod(Unary(LoginRequest.Parser, LoginReply.Parser, "Login"), [], (desk, request, call) => desk.Login(request, call));
        AddCommand(context, "Logout", LogoutRequest.Parser);
        AddCommand(context, "SetState", SetStateRequest.Parser);
        AddCommand(context, "Accept", OfferCommand.Parser);
        AddCommand(context, "Reject", OfferCommand.Parser);
        AddCommand(context, "Hold", CallCommand.Parser);
        AddCommand(context, "Resume", CallCommand.Parser);
        AddCommand(context, "HangUp", CallCommand.Parser);
        AddCommand(context, "Transfer", TransferRequest.Parser);
        AddCommand(context, "Consult", ConsultRequest.Parser);
        AddCommand(context, "WrapUp", WrapUpRequest.Parser);
        context.AddUnaryMethod(Unary(CallCommand.Parser, CustomerView.Parser, "LookUpCustomer"), [],
            (desk, request, call) => desk.LookUpCustomer(request, call));
        context.AddUnaryMethod(Unary(ProvisionPhoneRequest.Parser, PhoneAccountReply.Parser, "ProvisionPhone"), [],
            (desk, request, call) => desk.ProvisionPhone(request, call));
        context.AddServerStreamingMethod(
            new Method<EventsRequest, AgentEvent>(MethodType.ServerStreaming, Service, "Events", Marshaller(EventsRequest.Parser), Marshaller(AgentEvent.Parser)),
            [], (desk, request, writer, call) => desk.Events(request, writer, call));
    }

    private static void AddCommand<TRequest>(ServiceMethodProviderContext<FakeAgentDesk> context, string name, MessageParser<TRequest> parser)
        where TRequest : class, IMessage<TRequest> =>
        context.AddUnaryMethod(Unary(parser, CommandReply.Parser, name), [], (desk, request, call) => desk.Command(name, request, call));

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(MessageParser<TRequest> request, MessageParser<TResponse> response, string name)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, Service, name, Marshaller(request), Marshaller(response));

    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser) where T : class, IMessage<T> =>
        Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
}

/// <summary>Kestrel on a loopback port serving a <see cref="FakeAgentDesk"/> over HTTP/2 without TLS.</summary>
public sealed class AgentDeskTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AgentDeskTestServer(WebApplication app, FakeAgentDesk desk, Uri address)
    {
        _app = app;
        Desk = desk;
        Address = address;
    }

    public FakeAgentDesk Desk { get; }
    public Uri Address { get; }

    public static async Task<AgentDeskTestServer> StartAsync(FakeAgentDesk? desk = null)
    {
        desk ??= new FakeAgentDesk();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(desk);
        builder.Services.AddSingleton<IServiceMethodProvider<FakeAgentDesk>, FakeAgentDeskMethods>();
        var app = builder.Build();
        app.MapGrpcService<FakeAgentDesk>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AgentDeskTestServer(app, desk, new Uri(address));
    }

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
