using System.Text.Json;
using CallCenter.Gateway.V1;
using CallCenter.RemoteAgent.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.RemoteAgent.Tests;

/// <summary>The whole program in-process: command line, exit codes and messages, the scripted run over gRPC.</summary>
public sealed class RemoteAgentAppTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly LineWriter _output = new();
    private readonly LineWriter _error = new();
    private AgentDeskTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AgentDeskTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private FakeAgentDesk Desk => _server.Desk;

    private Task<int> Run(string arguments, CancellationToken cancellationToken = default) =>
        new RemoteAgentApp(_output, _error, _ => null, _time, reconnectPolicy: new ReconnectPolicy { Jitter = 0 })
            .RunAsync(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), cancellationToken);

    private string ServerAndAlice(string secret = FakeAgentDesk.Secret) => $"--server {_server.Address} --user alice --secret {secret}";

    private IReadOnlyList<string> ErrorLines() => _error.Lines;

    private List<JsonElement> JsonLines() => _output.Lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();

    private static string Describe(JsonElement line) =>
        line.GetProperty("type").GetString() + (line.TryGetProperty("command", out var command) ? " " + command.GetString() : "")
        + (line.TryGetProperty("code", out var code) ? " " + code.GetString() : "");

    [Fact]
    public async Task ProvisionPhone_ShowsTheAccountAndThePasswordOnce_AndLeavesTheSessionsAlone()
    {
        var exitCode = await Run(ServerAndAlice() + " --phone-account");

        Assert.Equal(ExitCodes.Success, exitCode);
        var call = await Desk.NextAsync("ProvisionPhone");
        Assert.Equal("Bearer token-1", call.Authorization);
        Assert.Equal("", ((ProvisionPhoneRequest)call.Request).Password);
        var text = _output.ToString();
        Assert.Contains("username:  alice", text);
        Assert.Contains("domain:    callcenter", text);
        Assert.Contains("registrar: sip:edge.example:5060", text);
        Assert.Contains("password:  Generated-Once-2026", text);
        // A logout would end every session of the user, the running desktop's too.
        Assert.DoesNotContain(Desk.Received, received => received.Method is "Logout" or "Events");
        Assert.Empty(ErrorLines());
    }

    [Fact]
    public async Task ProvisionPhone_WithJson_WritesOneLine()
    {
        Assert.Equal(ExitCodes.Success, await Run(ServerAndAlice() + " --phone-account --json"));

        var line = Assert.Single(JsonLines(), line => line.GetProperty("type").GetString() == "phone_account");
        Assert.Equal("alice", line.GetProperty("username").GetString());
        Assert.Equal("callcenter", line.GetProperty("domain").GetString());
        Assert.Equal("edge.example:5060", line.GetProperty("registrar").GetString());
        Assert.Equal("Generated-Once-2026", line.GetProperty("password").GetString());
    }

    [Fact]
    public async Task ProvisionPhone_Refused_ExitsWith8_AndSaysWhy()
    {
        Desk.OnProvisionPhone = _ => throw new RpcException(new Status(StatusCode.PermissionDenied, "only agents provision a phone"));

        var exitCode = await Run(ServerAndAlice() + " --phone-account");

        Assert.Equal(ExitCodes.For(DeskFailure.Refused), exitCode);
        Assert.Contains(ErrorLines(), line => line.Contains("only agents provision a phone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongSecret_ExitsWith3_AndSaysSoInOneLine()
    {
        var exitCode = await Run(ServerAndAlice("wrong") + " --json --auto-accept");

        Assert.Equal(ExitCodes.WrongCredentials, exitCode);
        Assert.Equal(["remote-agent: login refused: wrong user id or secret for 'alice'"], ErrorLines());
        var line = Assert.Single(JsonLines());
        Assert.Equal("wrong_credentials", line.GetProperty("code").GetString());
        Assert.True(line.GetProperty("fatal").GetBoolean());
    }

    [Fact]
    public async Task UnreachableServer_ExitsWith4_AndSaysSoInOneLine()
    {
        // A port of this test process's own block that nothing holds: nothing listens there.
        var port = PortAllocator.Next();

        var exitCode = await Run($"--server http://127.0.0.1:{port} --user alice --secret x --auto-accept");

        Assert.Equal(ExitCodes.ServerUnreachable, exitCode);
        var line = Assert.Single(ErrorLines());
        Assert.StartsWith($"remote-agent: cannot reach the contact center at http://127.0.0.1:{port}/: UNAVAILABLE", line);
        Assert.Equal("", _output.ToString());
    }

    [Fact]
    public async Task BadCommandLine_ExitsWith2_WithoutCallingTheServer()
    {
        var exitCode = await Run($"--server {_server.Address} --hold-seconds none");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(
        [
            "remote-agent: --hold-seconds must be a whole number above 0, not 'none'",
            "remote-agent: --user is required",
            "remote-agent: a secret is required: --secret S or the CALLCENTER_SECRET environment variable",
            "remote-agent: see --help for the options",
        ], ErrorLines());
        Assert.Empty(Desk.Received);
    }

    [Fact]
    public async Task Help_PrintsTheUsage()
    {
        Assert.Equal(ExitCodes.Success, await Run("--help"));
        Assert.StartsWith("Usage: CallCenter.RemoteAgent --user ID", _output.ToString());
    }

    [Fact]
    public async Task WrapUpCodeTheAgentDoesNotHave_ExitsWith2_AfterLoggingOut()
    {
        var exitCode = await Run(ServerAndAlice() + " --auto-accept --wrap-up NOPE");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(["remote-agent: --wrap-up NOPE is not one of this agent's disposition codes: SOLVED, CALLBACK"], ErrorLines());
        Assert.Equal(["Login", "Logout"], Desk.Received.Select(c => c.Method));
    }

    [Fact]
    public async Task ScriptedRun_GoesAvailable_AcceptsHoldsResumesAndWrapsUp_WritingJsonLines()
    {
        var run = Run(ServerAndAlice() + " --available --auto-accept --hold-seconds 5 --wrap-up SOLVED --max-calls 1 --json");

        var stream = await Desk.NextStreamAsync();
        await stream.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-1", State = new StateChanged { State = AgentState.NotReady } } });
        var setState = (SetStateRequest)(await Desk.NextAsync("SetState")).Request;
        Assert.Equal(AgentState.Available, setState.State);
        await stream.WriteAsync(new AgentEvent { State = new StateChanged { State = AgentState.Available } });
        await stream.WriteAsync(new AgentEvent
        {
            Offer = new Offer
            {
                CallId = "call-1",
                Epoch = 2,
                QueueId = "sales",
                ScreenPop = new ScreenPop { Customer = new CustomerView { Name = "Ann Smith", Tier = "gold" } },
            },
        });
        Assert.Equal(new OfferCommand { CallId = "call-1", Epoch = 2 }, (await Desk.NextAsync("Accept")).Request);
        await stream.WriteAsync(new AgentEvent { Call = new CallUpdate { CallId = "call-1", State = "Connected", QueueId = "sales" } });
        await Desk.NextAsync("Hold");
        _time.Advance(TimeSpan.FromSeconds(5));
        await Desk.NextAsync("Resume");
        await stream.WriteAsync(new AgentEvent { Call = new CallUpdate { CallId = "call-1", State = "Ended", Outcome = "CallerHungUp" } });
        var wrapUp = (WrapUpRequest)(await Desk.NextAsync("WrapUp")).Request;
        await Desk.NextAsync("Logout");
        var exitCode = await run.WaitAsync(TestTimeouts.Signal);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("SOLVED", wrapUp.DispositionCode);
        Assert.Equal("", _error.ToString());
        var lines = JsonLines().Select(Describe).ToList();
        Assert.Equal("command login", lines[0]);
        // The hold's answer and the timed resume may be written in either order; the rest follows the call.
        string[] expected = ["command login", "session", "command set_state", "state", "offer", "command accept", "call",
            "command hold", "command resume", "call", "command wrap_up", "command logout"];
        Assert.Equal(expected.Order(), lines.Order());
        Assert.True(lines.IndexOf("offer") < lines.IndexOf("command accept"));
        Assert.True(lines.IndexOf("command accept") < lines.IndexOf("call"));
        Assert.True(lines.IndexOf("command wrap_up") < lines.IndexOf("command logout"));
        Assert.All(Desk.Received.Where(c => c.Method != "Login"), c => Assert.Equal("Bearer token-1", c.Authorization));
    }

    [Fact]
    public async Task ExpiredTokenAndDroppedStream_AreSaid_AndTheRunCarriesOnUntilCancelled()
    {
        Desk.OnCommand = call => call.Method == "SetState" && call.Authorization == "Bearer token-1"
            ? throw new RpcException(new Status(StatusCode.Unauthenticated, "token expired"))
            : new CommandReply();
        using var cancel = new CancellationTokenSource();
        var run = Run(ServerAndAlice() + " --available --json", cancel.Token);

        var first = await Desk.NextStreamAsync();
        await first.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-1" } });
        Assert.Equal("Bearer token-1", (await Desk.NextAsync("SetState")).Authorization);
        Assert.Equal("Bearer token-2", (await Desk.NextAsync("SetState")).Authorization);
        await _output.WaitForLineAsync("\"command\":\"set_state\"");
        first.Drop();
        await _error.WaitForLineAsync("event stream dropped");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await Desk.NextStreamAsync();
        await second.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-1", Resumed = true } });
        await _error.WaitForLineAsync("event stream reconnected");
        await cancel.CancelAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Signal);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("Bearer token-2", second.Authorization);
        Assert.Equal("Bearer token-2", Desk.Received.Last(c => c.Method == "Logout").Authorization);
        Assert.Equal(
        [
            "remote-agent: session token expired; logged in again",
            "remote-agent: event stream dropped (UNAVAILABLE: dropped by the test); reconnecting in 1 s (attempt 1 of 10)",
            "remote-agent: event stream reconnected; the session resumed",
        ], ErrorLines());
        var lines = JsonLines();
        Assert.Equal(
            ["command login", "session", "error token_expired", "command login", "command set_state", "error stream_dropped", "session", "command logout"],
            lines.Select(Describe));
        Assert.True(lines[3].GetProperty("renewed").GetBoolean());
        Assert.True(lines[6].GetProperty("resumed").GetBoolean());
    }

    [Fact]
    public async Task ReconnectThatCouldNotResume_GoesAvailableAgain_OneThatResumed_DoesNot()
    {
        using var cancel = new CancellationTokenSource();
        var run = Run(ServerAndAlice() + " --available --auto-accept", cancel.Token);

        var first = await Desk.NextStreamAsync();
        await first.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-1" } });
        await Desk.NextAsync("SetState");
        first.Drop();
        await _error.WaitForLineAsync("event stream dropped");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await Desk.NextStreamAsync();
        await second.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-2", Resumed = false } });
        await Desk.NextAsync("SetState");
        second.Drop();
        await _error.WaitForLineAsync("event stream dropped", occurrence: 2);
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await Desk.NextStreamAsync();
        await third.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-2", Resumed = true } });
        await _output.WaitForLineAsync("session session-2 resumed");
        await cancel.CancelAsync();

        Assert.Equal(ExitCodes.Success, await run.WaitAsync(TestTimeouts.Signal));
        Assert.Equal(["Login", "Events", "SetState", "Events", "SetState", "Events", "Logout"], Desk.Received.Select(c => c.Method));
    }

    [Fact]
    public async Task LoggedOutByTheContactCenter_ExitsWith9()
    {
        var run = Run(ServerAndAlice() + " --auto-accept");

        var stream = await Desk.NextStreamAsync();
        await stream.WriteAsync(new AgentEvent { Session = new SessionStarted { SessionId = "session-1" } });
        await stream.WriteAsync(new AgentEvent { State = new StateChanged { State = AgentState.LoggedOut, ReasonCode = "ForcedBySupervisor" } });
        var exitCode = await run.WaitAsync(TestTimeouts.Signal);

        Assert.Equal(ExitCodes.LoggedOutByServer, exitCode);
        Assert.Equal("remote-agent: logged out by the contact center", ErrorLines()[^1]);
    }
}
