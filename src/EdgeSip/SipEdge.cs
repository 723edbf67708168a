using System.Net;
using System.Text;
using CallCenter.EdgeSip.Calls;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Protection;
using CallCenter.EdgeSip.Registrar;
using CallCenter.EdgeSip.Signalling;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using CallCenter.Sip.Transactions;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip;

/// <summary>
/// A site's SIP edge: listens on UDP and TCP, registers agent phones, admits callers (rate limits, trunk allowlist),
/// and hands each inbound call to an <see cref="EdgeCall"/>. In-dialog requests reach their call by Call-ID.
/// </summary>
public sealed partial class SipEdge : IAsyncDisposable
{
    private readonly SipEdgeOptions _options;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SipSignalling _signalling;
    private readonly SipRegistrar _registrar;
    private readonly PhoneAccountCache _phoneAccounts;
    private readonly SourceRateLimiter _rateLimiter;
    private readonly TrunkAllowlist _trunks;
    private readonly MediaClock _mediaClock;
    private readonly EdgeServices _services;
    private readonly EdgeMetrics _metrics;
    private readonly ITimer _housekeeping;
    private readonly EdgeConfiguration _configuration;
    private readonly ITimer _configurationRefresh;

    public SipEdge(SipEdgeOptions options, IGrainFactory grains, TimeProvider time, EdgeMetrics metrics, ILogger<SipEdge> logger)
    {
        _metrics = metrics;
        _options = options;
        _grains = grains;
        _time = time;
        _logger = logger;
        _trunks = new TrunkAllowlist(options.Trunks);
        _rateLimiter = new SourceRateLimiter(
            new RateLimitOptions
            {
                InvitesPerSecond = options.InvitesPerSecond,
                InviteBurst = options.InviteBurst,
                RegistersPerSecond = options.RegistersPerSecond,
                RegisterBurst = options.RegisterBurst,
            },
            time);
        var nonceSecret = string.IsNullOrEmpty(options.NonceSecret) ? null : Encoding.UTF8.GetBytes(options.NonceSecret);
        _registrar = new SipRegistrar(
            new RegistrarOptions
            {
                Realm = options.Realm,
                Algorithms = options.EffectiveDigestAlgorithms().Select(name => name == "MD5" ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256).ToList(),
            },
            _phoneAccounts = PhoneAccountCache.FromGrains(grains, options.Accounts.Select(account => account.ToPhoneAccount(options.Realm)), options.Realm, time, logger),
            time,
            nonceSecret);
        _registrar.BindingsChanged += OnBindingsChanged;

        _signalling = new SipSignalling(
            options.ListenIp(), options.Port, options.Udp, options.Tcp, options.Advertised(), time,
            options.WebSocket.Enabled
                ? new WebSocketListener(new IPEndPoint(options.WebSocket.ListenIp(options), options.WebSocket.Port), options.WebSocket.ToTransportOptions(time))
                : null);
        if (_signalling.WebSocket is { } webSocket)
        {
            // RFC 7118 section 5: a WebSocket phone is reached over the connection it registered on, and is gone with it.
            _signalling.WebSocketRoute = contact => _registrar.FindByContact(contact) is { } binding ? (binding.Source, binding.Transport) : null;
            webSocket.ConnectionClosed += remote => _registrar.ConnectionClosed(remote, webSocket.Protocol);
            webSocket.Diagnostic += message => LogWebSocket(message);
            metrics.ObserveWebSocket(webSocket);
        }

        _signalling.RequestReceived += OnRequest;
        _signalling.InviteCancelled += OnInviteCancelled;
        _signalling.AckReceived += message => CallOf(message.Message)?.OnAck((SipRequest)message.Message);
        _signalling.AnswerNotAcknowledged += transaction => CallOf(transaction.Request)?.OnAnswerNotAcknowledged(transaction.Request);
        _signalling.HandlerFailed += exception => LogHandlerFailed(exception);

        _mediaClock = new MediaClock(time);
        var ports = new RtpPortPool(IPAddress.Parse(options.Advertised()), options.RtpPortFirst, options.RtpPortLast);
        var prompts = new PromptLibrary(string.IsNullOrWhiteSpace(options.PromptDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "Prompts")
            : options.PromptDirectory);
        _configuration = new EdgeConfiguration(grains, logger);
        _services = new EdgeServices(_signalling, grains, options, _mediaClock, ports, prompts, time, metrics, logger)
        {
            IsQueue = _configuration.IsQueue,
            IsAgent = _configuration.IsAgent,
            Configuration = _configuration,
            EntryPointQueue = number => _configuration.FindEntryPoint(number)?.QueueId,
        };
        _housekeeping = time.CreateTimer(_ => _ = HousekeepAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _configurationRefresh = time.CreateTimer(_ => _ = _configuration.RefreshAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The SIP port (UDP and TCP), the real one when 0 was configured.</summary>
    public int Port => _signalling.Port;

    /// <summary>The SIP over WebSocket listener, when <c>CallCenter:Sip:WebSocket:Port</c> turned it on.</summary>
    public CallCenter.Sip.Transport.WebSocketSipTransport? WebSocket => _signalling.WebSocket;

    public int ActiveCalls => _services.LegsBySipCallId.Values.Distinct().Count();

    internal SipRegistrar Registrar => _registrar;

    internal SourceRateLimiter RateLimiter => _rateLimiter;

    /// <summary>The version of the contact-center configuration the edge serves calls with (-1 before it loaded one).</summary>
    public long ConfigurationVersion => _configuration.Version;

    public async Task StartAsync()
    {
        // The phone accounts and the configuration first: once the port is bound and "listening" logged, the edge can
        // authenticate a REGISTER and route an INVITE (scripts and tests take either as the edge's readiness).
        await _phoneAccounts.RefreshAsync();
        await _configuration.RefreshAsync();
        _signalling.Start();
        _housekeeping.Change(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        var refreshEvery = TimeSpan.FromSeconds(_options.ConfigurationRefreshSeconds);
        _configurationRefresh.Change(refreshEvery, refreshEvery);
        LogStarted(_options.SiteId, _options.ListenAddress, Port);
        if (_signalling.WebSocket is { } webSocket)
        {
            LogWebSocketStarted(webSocket.IsSecure ? "wss" : "ws", webSocket.LocalEndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _housekeeping.Dispose();
        _configurationRefresh.Dispose();
        foreach (var call in _services.LegsBySipCallId.Values.Distinct().ToList())
        {
            call.Post(new CallerLeft());
        }

        await _signalling.DisposeAsync();
        await _mediaClock.DisposeAsync();
        _rateLimiter.Dispose();
    }

    private void OnRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        _metrics.TransactionReceived(request.Method, transaction.Transport.Protocol);
        var source = transaction.RemoteEndPoint;
        if (!_rateLimiter.TryAcquire(source.Address, request.Method, out var retryAfter))
        {
            transaction.SendResponse(OverloadResponses.ServiceUnavailable(request, retryAfter));
            return;
        }

        if (request.Method != SipMethods.Register && SipCapabilities.RefuseUnsupportedExtensions(transaction))
        {
            return;
        }

        if (request.CallId is { } sipCallId && request.To?.Tag is not null)
        {
            if (_services.LegsBySipCallId.TryGetValue(sipCallId, out var call))
            {
                call.OnInDialogRequest(transaction);
            }
            else
            {
                transaction.Respond(481, "Call/Transaction Does Not Exist");
            }

            return;
        }

        switch (request.Method)
        {
            case SipMethods.Register:
                _ = RegisterAsync(transaction);
                break;
            case SipMethods.Invite:
                AdmitCall(transaction);
                break;
            case SipMethods.Options:
                SipCapabilities.RespondToOptions(transaction);
                break;
            case SipMethods.Bye or SipMethods.Cancel or SipMethods.Prack:
                // A PRACK outside any dialog matches no reliable provisional of ours (RFC 3262 section 3).
                transaction.Respond(481, "Call/Transaction Does Not Exist");
                break;
            default:
                SipCapabilities.RespondMethodNotAllowed(transaction);
                break;
        }
    }

    private void AdmitCall(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.CallId is not { } sipCallId)
        {
            transaction.Respond(400, "Missing Call-ID", SipMessageFactory.NewTag());
            return;
        }

        if (_services.LegsBySipCallId.ContainsKey(sipCallId))
        {
            // A retransmitted or looped INVITE of a call we already have.
            transaction.Respond(482, "Loop Detected", SipMessageFactory.NewTag());
            return;
        }

        if (!_trunks.Allows(transaction.RemoteEndPoint.Address) && !IsRegisteredCaller(request, transaction.RemoteEndPoint))
        {
            LogRefusedCaller(transaction.RemoteEndPoint.Address);

            // A final answer to a request without a To tag carries one of ours (RFC 3261 section 8.2.6.2); the
            // caller's ACK repeats it.
            transaction.Respond(403, "Forbidden", SipMessageFactory.NewTag());
            return;
        }

        // The grains and the IVR take a moment: tell the caller at once that the INVITE arrived.
        transaction.Respond(100, "Trying");
        if (_configuration.FindEntryPoint(EntryPointNumbers.DialledNumber(request)) is { } entry)
        {
            StartCall(transaction, sipCallId, entry);
        }
        else
        {
            _ = AdmitUnknownNumberAsync(transaction, sipCallId);
        }
    }

    private void StartCall(SipServerTransaction transaction, string sipCallId, CallCenter.Model.EntryPoint entry)
    {
        var call = new EdgeCall(_services, transaction, entry);
        _services.LegsBySipCallId[sipCallId] = call;
        call.Start();
    }

    /// <summary>
    /// A number the edge's copy of the configuration lacks: the configuration is checked again (it may have just been
    /// added), then the INVITE is refused before any answer (no call, no history) unless the number is ours now.
    /// </summary>
    private async Task AdmitUnknownNumberAsync(SipServerTransaction transaction, string sipCallId)
    {
        try
        {
            await _configuration.RefreshAsync().WaitAsync(EntryPointNumbers.RefreshWait, _time);
        }
        catch (TimeoutException)
        {
            // The configuration grain is slow or away: decide with the copy the edge has.
        }

        try
        {
            var dialled = EntryPointNumbers.DialledNumber(transaction.Request);
            if (_configuration.FindEntryPoint(dialled) is { } entry)
            {
                StartCall(transaction, sipCallId, entry);
                return;
            }

            var refusal = EntryPointNumbers.Refuse(transaction.Request, _configuration.Loaded);
            LogUnknownNumber(dialled, refusal.StatusCode);
            transaction.SendResponse(refusal);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Every INVITE gets a final response.
            LogHandlerFailed(exception);
            transaction.Respond(500, "Server Internal Error", SipMessageFactory.NewTag());
        }
    }

    /// <summary>A registered agent phone may call in from where it registered (e.g. to test its line), trunk or not.</summary>
    private bool IsRegisteredCaller(SipRequest request, IPEndPoint source) =>
        request.From?.Uri is CallCenter.Sip.Uris.SipUri { User: { } user }
        && _registrar.Lookup(user).Any(binding => binding.Source.Address.Equals(source.Address));

    /// <summary>The call a SIP Call-ID (of its caller's or a phone's leg) belongs to, if the edge has it.</summary>
    internal EdgeCall? FindCall(string sipCallId) => _services.LegsBySipCallId.TryGetValue(sipCallId, out var call) ? call : null;

    private EdgeCall? CallOf(SipMessage message) =>
        message.CallId is { } sipCallId && _services.LegsBySipCallId.TryGetValue(sipCallId, out var call) ? call : null;

        private void OnInviteCancelled(SipInviteServerTransaction transaction)
    {
        if (transaction.Request.CallId is { } sipCallId && _services.LegsBySipCallId.TryGetValue(sipCallId, out var call))
        {
            call.OnCancelled();
        }
    }

    private async Task RegisterAsync(SipServerTransaction transaction)
    {
        try
        {
            var response = await _registrar.HandleAsync(transaction.Request, transaction.RemoteEndPoint, transaction.Transport.Protocol);
            transaction.SendResponse(response);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogHandlerFailed(exception);
            transaction.Respond(500, "Server Internal Error");
        }
    }

    private void OnBindingsChanged(string agentId, RegistrationBinding? binding) => _ = TellAgentAsync(agentId, binding);

    private async Task TellAgentAsync(string agentId, RegistrationBinding? binding)
    {
        try
        {
            await _grains.GetGrain<IAgentGrain>(agentId).SetPhoneAsync(binding?.ContactUri, binding?.ExpiresAt ?? default);
            LogPhone(agentId, binding?.ContactUri ?? "(none)");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogHandlerFailed(exception);
        }
    }

    private Task HousekeepAsync()
    {
        _registrar.ExpireDue();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP edge of site {SiteId} listening on {Address}:{Port} (UDP and TCP as configured)")]
    private partial void LogStarted(string siteId, string address, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP over WebSocket ({Scheme}) listening on {EndPoint}")]
    private partial void LogWebSocketStarted(string scheme, IPEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP over WebSocket: {Message}")]
    private partial void LogWebSocket(string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP edge handler failed")]
    private partial void LogHandlerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused an INVITE from {Source}: not a trunk and not a registered phone")]
    private partial void LogRefusedCaller(IPAddress source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused an INVITE to {Dialled}: no entry point has that number ({Status})")]
    private partial void LogUnknownNumber(string dialled, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} phone is now {Contact}")]
    private partial void LogPhone(string agentId, string contact);
}
