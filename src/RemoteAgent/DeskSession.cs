using CallCenter.Gateway.V1;
using Grpc.Core;

namespace CallCenter.RemoteAgent;

/// <summary>The commands an agent issues; what <see cref="ScriptedAgent"/> and the terminal UI drive.</summary>
public interface IDeskCommands
{
    Task<CommandOutcome> SetStateAsync(AgentState state, string reasonCode, CancellationToken cancellationToken);
    Task<CommandOutcome> AcceptAsync(string callId, long epoch, CancellationToken cancellationToken);
    Task<CommandOutcome> RejectAsync(string callId, long epoch, CancellationToken cancellationToken);
    Task<CommandOutcome> HoldAsync(string callId, CancellationToken cancellationToken);
    Task<CommandOutcome> ResumeAsync(string callId, CancellationToken cancellationToken);
    Task<CommandOutcome> HangUpAsync(string callId, CancellationToken cancellationToken);
    Task<CommandOutcome> TransferAsync(string callId, TransferKind kind, string target, string note, CancellationToken cancellationToken);
    Task<CommandOutcome> ConsultAsync(string callId, ConsultAction action, TransferKind kind, string target, CancellationToken cancellationToken);
    Task<CommandOutcome> WrapUpAsync(string callId, string dispositionCode, string notes, CancellationToken cancellationToken);
}

/// <summary>A command the desktop issued and what the server answered.</summary>
public sealed record CommandOutcome(
    string Command,
    IReadOnlyList<KeyValuePair<string, string>> Arguments,
    bool Ok,
    bool AlreadyDone,
    string Message,
    StatusCode? Status)
{
    public string? Argument(string name) => Arguments.FirstOrDefault(a => a.Key == name).Value;
}

public enum DeskNoticeKind
{
    /// <summary>The event stream ended or failed; a reconnect follows after <see cref="DeskNotice.RetryIn"/>.</summary>
    StreamDropped,
    /// <summary>The event stream is open again after a drop.</summary>
    StreamReconnected,
    /// <summary>The server refused the token as expired; the desktop logged in again.</summary>
    TokenRenewed,
}

/// <summary>Something about the connection worth telling the agent; the session recovers by itself.</summary>
public sealed record DeskNotice(DeskNoticeKind Kind, string Message)
{
    public TimeSpan? RetryIn { get; init; }
    public int Attempt { get; init; }
}

/// <summary>
/// One agent's session with the AgentDesk service: logs in, keeps the token (logging in again once when the server
/// calls it expired), runs the event stream (reconnecting with backoff when it drops, so the server can resume the
/// session) and issues commands. Every RPC but Login carries "authorization: Bearer &lt;token&gt;".
/// </summary>
public sealed class DeskSession(
    AgentDesk.AgentDeskClient client,
    TimeProvider time,
    ReconnectPolicy? reconnectPolicy = null,
    Random? random = null,
    Uri? server = null) : IDeskCommands
{
    private readonly ReconnectPolicy _reconnectPolicy = reconnectPolicy ?? new ReconnectPolicy();
    private readonly Random _random = random ?? Random.Shared;
    private readonly SemaphoreSlim _loginGate = new(1, 1);
    private string _userId = "";
    private string _secret = "";
    private volatile string _token = "";

    public LoginReply? Login { get; private set; }

    /// <summary>The current session token (empty before login).</summary>
    public string Token => _token;

    public event Action<LoginReply, bool>? LoggedIn;
    public event Action<DeskNotice>? Notice;
    public event Action<CommandOutcome>? CommandCompleted;

    public async Task<LoginReply> LoginAsync(string userId, string secret, CancellationToken cancellationToken)
    {
        _userId = userId;
        _secret = secret;
        LoginReply reply;
        try
        {
            reply = await client.LoginAsync(new LoginRequest { UserId = userId, Secret = secret }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw LoginFailure(e, userId, server);
        }
        Login = reply;
        _token = reply.Token;
        LoggedIn?.Invoke(reply, false);
        return reply;
    }

    /// <summary>
    /// Reads the session's events until <paramref name="cancellationToken"/> is cancelled, reconnecting after every
    /// drop. Throws <see cref="DeskException"/> when the stream cannot be had back.
    /// </summary>
    public async Task RunEventsAsync(Func<AgentEvent, CancellationToken, Task> onEvent, CancellationToken cancellationToken)
    {
        var failedAttempts = 0;
        var renewedSinceLastEvent = false;
        var dropped = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string reason;
            try
            {
                using var call = client.Events(new EventsRequest(), Authorized(cancellationToken));
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    if (failedAttempts > 0 || dropped)
                    {
                        var resumed = call.ResponseStream.Current.Session?.Resumed == true;
                        Notice?.Invoke(new DeskNotice(DeskNoticeKind.StreamReconnected,
                            resumed ? "event stream reconnected; the session resumed" : "event stream reconnected as a new session"));
                        dropped = false;
                    }
                    failedAttempts = 0;
                    renewedSinceLastEvent = false;
                    await onEvent(call.ResponseStream.Current, cancellationToken);
                }
                reason = "the server closed it";
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                ThrowIfSessionEnded(e);
                if (renewedSinceLastEvent)
                {
                    throw new DeskException(DeskFailure.SessionExpired,
                        $"session expired: the event stream refused the token even after logging in again ({Describe(e)})", e);
                }
                await RenewLoginAsync(_token, cancellationToken);
                renewedSinceLastEvent = true;
                continue;
            }
            catch (RpcException e) when (!IsTransient(e.StatusCode))
            {
                throw new DeskException(DeskFailure.Refused, $"the event stream was refused: {Describe(e)}", e);
            }
            catch (RpcException e)
            {
                reason = Describe(e);
            }
            catch (IOException e)
            {
                reason = e.Message;
            }

            dropped = true;
            failedAttempts++;
            if (failedAttempts > _reconnectPolicy.MaxAttempts)
            {
                throw new DeskException(DeskFailure.StreamLost,
                    $"event stream lost: gave up after {_reconnectPolicy.MaxAttempts} attempts to reconnect ({reason})");
            }
            var delay = _reconnectPolicy.DelayBefore(failedAttempts, _random);
            // The delay's timer exists before anyone hears of it, so a test that advances time on the notice wakes it.
            var wait = Task.Delay(delay, time, cancellationToken);
            Notice?.Invoke(new DeskNotice(DeskNoticeKind.StreamDropped,
                $"event stream dropped ({reason}); reconnecting in {delay.TotalSeconds:0.#} s (attempt {failedAttempts} of {_reconnectPolicy.MaxAttempts})")
            {
                RetryIn = delay,
                Attempt = failedAttempts,
            });
            await wait;
        }
    }

    public Task<CommandOutcome> SetStateAsync(AgentState state, string reasonCode, CancellationToken cancellationToken) =>
        CommandAsync("set_state", [new("state", ProtoName(state)), new("reason_code", reasonCode)],
            o => client.SetStateAsync(new SetStateRequest { State = state, ReasonCode = reasonCode }, o), cancellationToken);

    public Task<CommandOutcome> AcceptAsync(string callId, long epoch, CancellationToken cancellationToken) =>
        CommandAsync("accept", [Call(callId), new("epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            o => client.AcceptAsync(new OfferCommand { CallId = callId, Epoch = epoch }, o), cancellationToken);

    public Task<CommandOutcome> RejectAsync(string callId, long epoch, CancellationToken cancellationToken) =>
        CommandAsync("reject", [Call(callId), new("epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            o => client.RejectAsync(new OfferCommand { CallId = callId, Epoch = epoch }, o), cancellationToken);

    public Task<CommandOutcome> HoldAsync(string callId, CancellationToken cancellationToken) =>
        CommandAsync("hold", [Call(callId)], o => client.HoldAsync(new CallCommand { CallId = callId }, o), cancellationToken);

    public Task<CommandOutcome> ResumeAsync(string callId, CancellationToken cancellationToken) =>
        CommandAsync("resume", [Call(callId)], o => client.ResumeAsync(new CallCommand { CallId = callId }, o), cancellationToken);

    public Task<CommandOutcome> HangUpAsync(string callId, CancellationToken cancellationToken) =>
        CommandAsync("hang_up", [Call(callId)], o => client.HangUpAsync(new CallCommand { CallId = callId }, o), cancellationToken);

    public Task<CommandOutcome> TransferAsync(string callId, TransferKind kind, string target, string note, CancellationToken cancellationToken) =>
        CommandAsync("transfer", [Call(callId), new("kind", ProtoName(kind)), new("target", target)],
            o => client.TransferAsync(new TransferRequest { CallId = callId, Kind = kind, Target = target, Note = note }, o), cancellationToken);

    public Task<CommandOutcome> ConsultAsync(string callId, ConsultAction action, TransferKind kind, string target, CancellationToken cancellationToken) =>
        CommandAsync("consult", [Call(callId), new("action", ProtoName(action)), new("kind", ProtoName(kind)), new("target", target)],
            o => client.ConsultAsync(new ConsultRequest { CallId = callId, Action = action, Kind = kind, Target = target }, o), cancellationToken);

    public Task<CommandOutcome> WrapUpAsync(string callId, string dispositionCode, string notes, CancellationToken cancellationToken) =>
        CommandAsync("wrap_up", [Call(callId), new("disposition_code", dispositionCode)],
            o => client.WrapUpAsync(new WrapUpRequest { CallId = callId, DispositionCode = dispositionCode, Notes = notes }, o), cancellationToken);

    public Task<CommandOutcome> LogoutAsync(CancellationToken cancellationToken) =>
        CommandAsync("logout", [], o => client.LogoutAsync(new LogoutRequest(), o), cancellationToken);

    /// <summary>
    /// Provisions the agent's own SIP phone account: <paramref name="password"/>, or none for one the server generates
    /// and returns this once. A refusal (a bad password, not an agent) is <see cref="DeskFailure.Refused"/>.
    /// </summary>
    public async Task<PhoneAccountReply> ProvisionPhoneAsync(string? password, CancellationToken cancellationToken)
    {
        try
        {
            return await WithTokenAsync(o => client.ProvisionPhoneAsync(new ProvisionPhoneRequest { Password = password ?? "" }, o), cancellationToken);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeskException(DeskFailure.Refused, $"the phone account was not provisioned: {Describe(e)}", e);
        }
    }

    /// <summary>The customer of the agent's current or offered call; null when the server refuses.</summary>
    public async Task<CustomerView?> LookUpCustomerAsync(string callId, CancellationToken cancellationToken)
    {
        try
        {
            return await WithTokenAsync(o => client.LookUpCustomerAsync(new CallCommand { CallId = callId }, o), cancellationToken);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            CommandCompleted?.Invoke(new CommandOutcome("look_up_customer", [Call(callId)], false, false, e.Status.Detail, e.StatusCode));
            return null;
        }
    }

    /// <summary>"FAILED_PRECONDITION" for <see cref="StatusCode.FailedPrecondition"/>: the proto's spelling.</summary>
    public static string StatusName(StatusCode status)
    {
        var name = status.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }

    private static KeyValuePair<string, string> Call(string callId) => new("call_id", callId);

    /// <summary>"AGENT_STATE_AVAILABLE" for <see cref="AgentState.Available"/>: as the JSON of the events spells it.</summary>
    public static string ProtoName<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? value.ToString();

    private async Task<CommandOutcome> CommandAsync(
        string command,
        KeyValuePair<string, string>[] arguments,
        Func<CallOptions, AsyncUnaryCall<CommandReply>> call,
        CancellationToken cancellationToken)
    {
        CommandOutcome outcome;
        try
        {
            var reply = await WithTokenAsync(call, cancellationToken);
            outcome = new CommandOutcome(command, arguments, true, reply.AlreadyDone, reply.Message, null);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A refused command changes nothing (the proto's promise), so it is reported, not fatal.
            outcome = new CommandOutcome(command, arguments, false, false, Describe(e), e.StatusCode);
        }
        CommandCompleted?.Invoke(outcome);
        return outcome;
    }

    private async Task<T> WithTokenAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        var token = _token;
        try
        {
            return await call(Authorized(cancellationToken, token));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && !cancellationToken.IsCancellationRequested)
        {
            ThrowIfSessionEnded(e);
            await RenewLoginAsync(token, cancellationToken);
        }
        try
        {
            return await call(Authorized(cancellationToken));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && !cancellationToken.IsCancellationRequested)
        {
            throw new DeskException(DeskFailure.SessionExpired,
                $"session expired: the server refused the token even after logging in again ({Describe(e)})", e);
        }
    }

    /// <summary>
    /// A session the contact center ended (a supervisor's sign-out, a logout elsewhere, a changed secret) ends this desktop:
    /// logging in again with the same secret would undo what the supervisor or admin did.
    /// </summary>
    private static void ThrowIfSessionEnded(RpcException e)
    {
        if (e.Trailers.GetValue(CallCenter.Gateway.Contracts.SessionTrailers.Ended) is not null)
        {
            throw new DeskException(DeskFailure.LoggedOutByServer, $"the contact center ended this session ({Describe(e)})", e);
        }
    }

    /// <summary>Logs in again unless another caller already replaced <paramref name="staleToken"/>.</summary>
    private async Task RenewLoginAsync(string staleToken, CancellationToken cancellationToken)
    {
        await _loginGate.WaitAsync(cancellationToken);
        try
        {
            if (_token != staleToken)
            {
                return;
            }
            LoginReply reply;
            try
            {
                reply = await client.LoginAsync(new LoginRequest { UserId = _userId, Secret = _secret }, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                var failure = LoginFailure(e, _userId, server);
                throw new DeskException(DeskFailure.SessionExpired, $"session expired and logging in again failed: {failure.Message}", e);
            }
            Login = reply;
            _token = reply.Token;
            Notice?.Invoke(new DeskNotice(DeskNoticeKind.TokenRenewed, "session token expired; logged in again"));
            LoggedIn?.Invoke(reply, true);
        }
        finally
        {
            _loginGate.Release();
        }
    }

    private CallOptions Authorized(CancellationToken cancellationToken, string? token = null) =>
        new(new Metadata { { "authorization", "Bearer " + (token ?? _token) } }, cancellationToken: cancellationToken);

    private static bool IsTransient(StatusCode status) => status is StatusCode.Unavailable or StatusCode.Internal
        or StatusCode.Unknown or StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.Aborted
        or StatusCode.ResourceExhausted or StatusCode.DataLoss;

    private static DeskException LoginFailure(RpcException e, string userId, Uri? server) => e.StatusCode switch
    {
        StatusCode.Unauthenticated => new DeskException(DeskFailure.WrongCredentials,
            $"login refused: wrong user id or secret for '{userId}'", e),
        StatusCode.ResourceExhausted => new DeskException(DeskFailure.LoginLocked,
            $"login refused: too many failed logins for '{userId}'; wait and try again", e),
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => new DeskException(DeskFailure.ServerUnreachable,
            $"cannot reach the contact center{(server is null ? "" : " at " + server)}: {Describe(e)}", e),
        StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.FailedPrecondition => new DeskException(
            DeskFailure.Refused, $"login refused: {Describe(e)}", e),
        _ => new DeskException(DeskFailure.Unexpected, $"login failed: {Describe(e)}", e),
    };

    /// <summary>One line: the status and the server's detail, or the transport's reason when there is one.</summary>
    private static string Describe(RpcException e)
    {
        var detail = e.Status.Detail;
        if (e.Status.DebugException is { } transport)
        {
            var root = transport.GetBaseException().Message;
            detail = string.IsNullOrEmpty(detail) ? root
                : detail.Contains(root, StringComparison.Ordinal) ? detail
                : $"{detail} {root}";
        }
        return string.IsNullOrWhiteSpace(detail) ? StatusName(e.StatusCode) : $"{StatusName(e.StatusCode)}: {detail.Trim()}";
    }
}
