using System.Threading.Channels;
using CallCenter.Gateway.V1;
using CallCenter.RemoteAgent.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.RemoteAgent.Tests;

/// <summary>The session against a scripted AgentDesk server on loopback: tokens, statuses, dropped streams.</summary>
public sealed class DeskSessionTests : IAsyncLifetime
{
    private static readonly ReconnectPolicy NoJitter = new()
    {
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(4),
        MaxAttempts = 4,
        Jitter = 0,
    };

    private readonly FakeTimeProvider _time = new();
    private readonly Channel<DeskNotice> _notices = Channel.CreateUnbounded<DeskNotice>();
    private readonly Channel<AgentEvent> _events = Channel.CreateUnbounded<AgentEvent>();
    private readonly CancellationTokenSource _stop = new();
    private AgentDeskTestServer _server = null!;
    private Grpc.Net.Client.GrpcChannel _channel = null!;
    private DeskSession _session = null!;

    public async Task InitializeAsync()
    {
        _server = await AgentDeskTestServer.StartAsync();
        _channel = _server.CreateChannel();
        _session = new DeskSession(new AgentDesk.AgentDeskClient(_channel), _time, NoJitter);
        _session.Notice += notice => _notices.Writer.TryWrite(notice);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _channel.Dispose();
        await _server.DisposeAsync();
        _stop.Dispose();
    }

    private FakeAgentDesk Desk => _server.Desk;

    private Task RunEvents() => _session.RunEventsAsync((agentEvent, _) =>
    {
        _events.Writer.TryWrite(agentEvent);
        return Task.CompletedTask;
    }, _stop.Token);

    private Task<DeskNotice> NextNoticeAsync() => _notices.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Signal);

    private Task<AgentEvent> NextEventAsync() => _events.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Signal);

    private static AgentEvent Session(bool resumed, params CallUpdate[] calls) =>
        new() { Session = new SessionStarted { SessionId = "session-1", Resumed = resumed, Calls = { calls } } };

    [Fact]
    public async Task EveryRpcButLogin_CarriesTheBearerToken()
    {
        var login = await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();
        await Desk.NextStreamAsync();

        await _session.SetStateAsync(AgentState.Available, "", CancellationToken.None);
        await _session.AcceptAsync("call-1", 3, CancellationToken.None);
        await _session.HoldAsync("call-1", CancellationToken.None);
        await _session.TransferAsync("call-1", TransferKind.Queue, "billing", "wants a refund", CancellationToken.None);
        await _session.WrapUpAsync("call-1", "SOLVED", "", CancellationToken.None);
        await _session.LookUpCustomerAsync("call-1", CancellationToken.None);
        await _session.LogoutAsync(CancellationToken.None);

        Assert.Equal("token-1", login.Token);
        var received = Desk.Received.ToList();
        Assert.Null(Assert.Single(received, c => c.Method == "Login").Authorization);
        Assert.Equal(
            ["Events", "SetState", "Accept", "Hold", "Transfer", "WrapUp", "LookUpCustomer", "Logout"],
            received.Where(c => c.Method != "Login").Select(c => c.Method));
        Assert.All(received.Where(c => c.Method != "Login"), c => Assert.Equal("Bearer token-1", c.Authorization));
        Assert.Equal(new OfferCommand { CallId = "call-1", Epoch = 3 }, received.Single(c => c.Method == "Accept").Request);
        Assert.Equal(new TransferRequest { CallId = "call-1", Kind = TransferKind.Queue, Target = "billing", Note = "wants a refund" },
            received.Single(c => c.Method == "Transfer").Request);
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events);
    }

    [Fact]
    public async Task Login_WithAWrongSecret_FailsAsWrongCredentials()
    {
        var failure = await Assert.ThrowsAsync<DeskException>(() => _session.LoginAsync("alice", "wrong", CancellationToken.None));

        Assert.Equal(DeskFailure.WrongCredentials, failure.Failure);
        Assert.Equal("login refused: wrong user id or secret for 'alice'", failure.Message);
    }

    [Fact]
    public async Task Login_AfterTooManyFailures_FailsAsLockedOut()
    {
        Desk.OnLogin = (_, _) => throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many failed logins"));

        var failure = await Assert.ThrowsAsync<DeskException>(() => _session.LoginAsync("alice", "wrong", CancellationToken.None));

        Assert.Equal(DeskFailure.LoginLocked, failure.Failure);
    }

    [Fact]
    public async Task RefusedCommand_IsReportedWithItsStatus_AndTheSessionGoesOn()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        Desk.OnCommand = call => call.Method == "Accept"
            ? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the offer was withdrawn"))
            : new CommandReply { AlreadyDone = true };
        var reported = new List<CommandOutcome>();
        _session.CommandCompleted += reported.Add;

        var accept = await _session.AcceptAsync("call-1", 1, CancellationToken.None);
        var hold = await _session.HoldAsync("call-1", CancellationToken.None);
        var notReady = await _session.SetStateAsync(AgentState.NotReady, "Break", CancellationToken.None);

        Assert.False(accept.Ok);
        Assert.Equal(StatusCode.FailedPrecondition, accept.Status);
        Assert.Equal("FAILED_PRECONDITION: the offer was withdrawn", accept.Message);
        Assert.True(hold.Ok);
        Assert.True(hold.AlreadyDone);
        Assert.Equal([accept, hold, notReady], reported);
        Assert.Equal([new("state", "AGENT_STATE_NOT_READY"), new("reason_code", "Break")], notReady.Arguments);
    }

    [Fact]
    public async Task ExpiredToken_OnACommand_LogsInAgainOnce_SaysSo_AndRetries()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        Desk.OnCommand = call => call.Authorization == "Bearer token-1"
            ? throw new RpcException(new Status(StatusCode.Unauthenticated, "token expired"))
            : new CommandReply();

        var hold = await _session.HoldAsync("call-1", CancellationToken.None);

        Assert.True(hold.Ok);
        Assert.Equal(2, Desk.Logins);
        Assert.Equal("token-2", _session.Token);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], Desk.Received.Where(c => c.Method == "Hold").Select(c => c.Authorization));
        var notice = await NextNoticeAsync();
        Assert.Equal(DeskNoticeKind.TokenRenewed, notice.Kind);
        Assert.Equal("session token expired; logged in again", notice.Message);
    }

    [Fact]
    public async Task SessionEndedByTheServer_OnACommand_EndsTheDesk_WithoutLoggingInAgain()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        Desk.OnCommand = _ => throw new RpcException(new Status(StatusCode.Unauthenticated, "session ended"), SessionEnded());

        var failure = await Assert.ThrowsAsync<DeskException>(() => _session.HoldAsync("call-1", CancellationToken.None));

        Assert.Equal(DeskFailure.LoggedOutByServer, failure.Failure);
        Assert.StartsWith("the contact center ended this session", failure.Message);
        Assert.Equal(1, Desk.Logins);
    }

    [Fact]
    public async Task SessionEndedByTheServer_OnTheEventStream_EndsTheDesk_WithoutLoggingInAgain()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();

        (await Desk.NextStreamAsync()).Drop(StatusCode.Unauthenticated, SessionEnded());

        var failure = await Assert.ThrowsAsync<DeskException>(() => events.WaitAsync(TestTimeouts.Signal));
        Assert.Equal(DeskFailure.LoggedOutByServer, failure.Failure);
        Assert.Equal(1, Desk.Logins);
    }

    private static Metadata SessionEnded() => new() { { CallCenter.Gateway.Contracts.SessionTrailers.Ended, "true" } };

    [Fact]
    public async Task ExpiredToken_WhenLoggingInAgainFails_EndsTheSessionAsExpired()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        Desk.OnCommand = _ => throw new RpcException(new Status(StatusCode.Unauthenticated, "token expired"));
        Desk.OnLogin = (_, _) => throw new RpcException(new Status(StatusCode.Unauthenticated, "the account is disabled"));

        var failure = await Assert.ThrowsAsync<DeskException>(() => _session.HoldAsync("call-1", CancellationToken.None));

        Assert.Equal(DeskFailure.SessionExpired, failure.Failure);
        Assert.StartsWith("session expired and logging in again failed", failure.Message);
    }

    [Fact]
    public async Task ExpiredToken_StillRefusedAfterLoggingInAgain_EndsTheSessionAsExpired()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        Desk.OnCommand = _ => throw new RpcException(new Status(StatusCode.Unauthenticated, "token expired"));

        var failure = await Assert.ThrowsAsync<DeskException>(() => _session.HoldAsync("call-1", CancellationToken.None));

        Assert.Equal(DeskFailure.SessionExpired, failure.Failure);
        Assert.Equal(2, Desk.Logins);
        Assert.Equal(2, Desk.Received.Count(c => c.Method == "Hold"));
    }

    [Fact]
    public async Task DroppedStream_SaysSo_ReconnectsAfterTheBackoff_WithTheSameToken_AndResumesTheSession()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();
        var first = await Desk.NextStreamAsync();
        await first.WriteAsync(Session(resumed: false));
        Assert.False((await NextEventAsync()).Session.Resumed);

        first.Drop();
        var dropped = await NextNoticeAsync();

        Assert.Equal(DeskNoticeKind.StreamDropped, dropped.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), dropped.RetryIn);
        Assert.StartsWith("event stream dropped (UNAVAILABLE: dropped by the test); reconnecting in 1 s", dropped.Message);
        // The desktop waits out the backoff on the (fake) clock before it tries again.
        Assert.Equal(1, Desk.StreamCount);
        _time.Advance(TimeSpan.FromSeconds(1));

        var second = await Desk.NextStreamAsync();
        Assert.Equal("Bearer token-1", second.Authorization);
        await second.WriteAsync(Session(resumed: true, new CallUpdate { CallId = "call-1", State = "Connected" }));
        var resumed = await NextEventAsync();
        Assert.True(resumed.Session.Resumed);
        Assert.Equal("call-1", Assert.Single(resumed.Session.Calls).CallId);
        var reconnected = await NextNoticeAsync();
        Assert.Equal(DeskNoticeKind.StreamReconnected, reconnected.Kind);
        Assert.Equal("event stream reconnected; the session resumed", reconnected.Message);

        // A working stream starts the backoff over.
        second.Abort();
        Assert.Equal(TimeSpan.FromSeconds(1), (await NextNoticeAsync()).RetryIn);
        Assert.Equal(1, Desk.Logins);
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events);
    }

    [Fact]
    public async Task StreamThatKeepsFailing_BacksOffExponentiallyToTheCap_ThenGivesUp()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= NoJitter.MaxAttempts; attempt++)
        {
            (await Desk.NextStreamAsync()).Drop();
            var notice = await NextNoticeAsync();
            Assert.Equal(attempt, notice.Attempt);
            delays.Add(notice.RetryIn!.Value);
            _time.Advance(notice.RetryIn.Value);
        }
        (await Desk.NextStreamAsync()).Drop();
        var failure = await Assert.ThrowsAsync<DeskException>(() => events.WaitAsync(TestTimeouts.Signal));

        Assert.Equal([1, 2, 4, 4], delays.Select(d => d.TotalSeconds));
        Assert.Equal(DeskFailure.StreamLost, failure.Failure);
        Assert.StartsWith("event stream lost: gave up after 4 attempts to reconnect", failure.Message);
    }

    [Fact]
    public async Task StreamRefusingTheToken_LogsInAgain_AndReconnectsAtOnce()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();

        (await Desk.NextStreamAsync()).Drop(StatusCode.Unauthenticated);
        var renewed = await NextNoticeAsync();
        var second = await Desk.NextStreamAsync();

        Assert.Equal(DeskNoticeKind.TokenRenewed, renewed.Kind);
        Assert.Equal("Bearer token-2", second.Authorization);
        await second.WriteAsync(Session(resumed: false));
        Assert.Equal("session-1", (await NextEventAsync()).Session.SessionId);
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events);
    }

    [Fact]
    public async Task StreamRefusedForGood_EndsTheSessionAsRefused()
    {
        await _session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = RunEvents();

        (await Desk.NextStreamAsync()).Drop(StatusCode.PermissionDenied);
        var failure = await Assert.ThrowsAsync<DeskException>(() => events.WaitAsync(TestTimeouts.Signal));

        Assert.Equal(DeskFailure.Refused, failure.Failure);
        Assert.Equal("the event stream was refused: PERMISSION_DENIED: dropped by the test", failure.Message);
    }

    [Fact]
    public void ReconnectPolicy_DoublesFromTheFirstDelayUpToTheCap_PlusAtMostTheJitter()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), Jitter = 0.2 };
        var noJitter = policy with { Jitter = 0 };
        var random = new Random(7);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => noJitter.DelayBefore(n, random).TotalSeconds));
        Assert.All(Enumerable.Range(1, 50), n =>
        {
            var delay = policy.DelayBefore(3, random).TotalSeconds;
            Assert.InRange(delay, 4, 4.8);
        });
    }
}
