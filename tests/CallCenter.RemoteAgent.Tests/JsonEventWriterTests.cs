using System.Text.Json;
using CallCenter.Gateway.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CallCenter.RemoteAgent.Tests;

public sealed class JsonEventWriterTests
{
    private readonly StringWriter _output = new();
    private readonly JsonEventWriter _writer;

    public JsonEventWriterTests() => _writer = new JsonEventWriter(_output);

    /// <summary>Every line written so far, each parsed on its own (a line that is no JSON object fails here).</summary>
    private List<JsonElement> Lines()
    {
        var text = _output.ToString();
        Assert.EndsWith(Environment.NewLine, text);
        return text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
    }

    private JsonElement SingleLine() => Assert.Single(Lines());

    [Fact]
    public void Offer_IsOneLine_WithItsTypeTimeAndTheProtoFieldNames()
    {
        var at = new DateTimeOffset(2025, 3, 1, 9, 30, 0, TimeSpan.Zero);
        _writer.Event(new AgentEvent
        {
            At = Timestamp.FromDateTimeOffset(at),
            Offer = new Offer
            {
                CallId = "call-7",
                Epoch = 4,
                QueueId = "sales",
                WaitedSeconds = 12.5,
                ScreenPop = new ScreenPop
                {
                    CallerNumber = "+441234",
                    Customer = new CustomerView
                    {
                        Name = "Ann Smith",
                        Tier = "gold",
                        History = { new Contact { CallId = "call-1", Outcome = "SOLVED" } },
                    },
                    AttachedData = { ["account"] = "991" },
                    Notes = { "line one\nline two" },
                },
            },
        });

        var line = SingleLine();
        Assert.Equal("offer", line.GetProperty("type").GetString());
        Assert.Equal("2025-03-01T09:30:00Z", line.GetProperty("at").GetString());
        Assert.Equal("call-7", line.GetProperty("call_id").GetString());
        // The proto's JSON mapping writes int64 as a string.
        Assert.Equal("4", line.GetProperty("epoch").GetString());
        Assert.Equal(12.5, line.GetProperty("waited_seconds").GetDouble());
        var pop = line.GetProperty("screen_pop");
        Assert.Equal("Ann Smith", pop.GetProperty("customer").GetProperty("name").GetString());
        Assert.Equal("SOLVED", pop.GetProperty("customer").GetProperty("history")[0].GetProperty("outcome").GetString());
        Assert.Equal("991", pop.GetProperty("attached_data").GetProperty("account").GetString());
        Assert.Equal("line one\nline two", pop.GetProperty("notes")[0].GetString());
        // Readable as written: no \u escapes for "+" or letters beyond ASCII.
        Assert.Contains("\"caller_number\":\"+441234\"", _output.ToString());
    }

    [Fact]
    public void TextBeyondAscii_IsWrittenAsIs()
    {
        _writer.Event(new AgentEvent { SupervisorMessage = new SupervisorMessage { From = "Zoë", Text = "Herr Müller ruft an" } });

        Assert.Equal("{\"type\":\"supervisor_message\",\"from\":\"Zoë\",\"text\":\"Herr Müller ruft an\"}" + Environment.NewLine, _output.ToString());
    }

    public static TheoryData<string, AgentEvent> EventsByType() => new()
    {
        { "session", new AgentEvent { Session = new SessionStarted { SessionId = "s", Resumed = true } } },
        { "offer_withdrawn", new AgentEvent { OfferWithdrawn = new OfferWithdrawn { CallId = "c" } } },
        { "call", new AgentEvent { Call = new CallUpdate { CallId = "c", State = "Connected" } } },
        { "state", new AgentEvent { State = new StateChanged { State = AgentState.NotReady, ReasonCode = "Break" } } },
        { "supervisor_message", new AgentEvent { SupervisorMessage = new SupervisorMessage { From = "sue", Text = "hi" } } },
    };

    [Theory]
    [MemberData(nameof(EventsByType))]
    public void EachEvent_HasItsOneofNameAsType(string type, AgentEvent agentEvent)
    {
        _writer.Event(agentEvent);

        Assert.Equal(type, SingleLine().GetProperty("type").GetString());
    }

    [Fact]
    public void StateAndSession_ShowEnumsByName_AndDefaults()
    {
        _writer.Event(new AgentEvent { State = new StateChanged { State = AgentState.Available } });
        _writer.Event(new AgentEvent { Session = new SessionStarted { SessionId = "s" } });

        var lines = Lines();
        Assert.Equal("AGENT_STATE_AVAILABLE", lines[0].GetProperty("state").GetString());
        Assert.Equal("", lines[0].GetProperty("reason_code").GetString());
        Assert.False(lines[1].GetProperty("resumed").GetBoolean());
    }

    [Fact]
    public void Heartbeats_AreLeftOut_UnlessAskedFor()
    {
        var heartbeat = new AgentEvent { Heartbeat = new Heartbeat() };
        _writer.Event(heartbeat);
        Assert.Equal("", _output.ToString());

        var withHeartbeats = new StringWriter();
        new JsonEventWriter(withHeartbeats, includeHeartbeats: true).Event(heartbeat);
        Assert.Equal("heartbeat", JsonDocument.Parse(withHeartbeats.ToString()).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void Login_IsACommandLine_WithoutTheToken()
    {
        _writer.LoggedIn(new LoginReply
        {
            Token = "secret-token",
            AgentId = "alice",
            Role = Role.Agent,
            DispositionCodes = { "SOLVED" },
        }, renewed: false);

        var line = SingleLine();
        Assert.DoesNotContain("secret-token", _output.ToString());
        Assert.False(line.TryGetProperty("token", out _));
        Assert.Equal("command", line.GetProperty("type").GetString());
        Assert.Equal("login", line.GetProperty("command").GetString());
        Assert.True(line.GetProperty("ok").GetBoolean());
        Assert.Equal("alice", line.GetProperty("agent_id").GetString());
        Assert.Equal("ROLE_AGENT", line.GetProperty("role").GetString());
        Assert.Equal("SOLVED", line.GetProperty("disposition_codes")[0].GetString());
    }

    [Fact]
    public void Commands_CarryTheirArgumentsAndResult()
    {
        _writer.Command(new CommandOutcome("accept", [new("call_id", "c1"), new("epoch", "2")], true, false, "", null));
        _writer.Command(new CommandOutcome("hold", [new("call_id", "c1")], false, false, "FAILED_PRECONDITION: not connected", StatusCode.FailedPrecondition));

        var lines = Lines();
        Assert.Equal("command", lines[0].GetProperty("type").GetString());
        Assert.Equal("accept", lines[0].GetProperty("command").GetString());
        Assert.Equal("c1", lines[0].GetProperty("call_id").GetString());
        Assert.True(lines[0].GetProperty("ok").GetBoolean());
        Assert.False(lines[0].TryGetProperty("status", out _));
        Assert.False(lines[1].GetProperty("ok").GetBoolean());
        Assert.Equal("FAILED_PRECONDITION", lines[1].GetProperty("status").GetString());
        Assert.Equal("FAILED_PRECONDITION: not connected", lines[1].GetProperty("message").GetString());
    }

    [Fact]
    public void ConnectionNotices_AreErrorsThatTheDesktopRecoversFrom()
    {
        _writer.Notice(new DeskNotice(DeskNoticeKind.StreamDropped, "event stream dropped") { RetryIn = TimeSpan.FromSeconds(2), Attempt = 2 });
        _writer.Notice(new DeskNotice(DeskNoticeKind.TokenRenewed, "session token expired; logged in again"));
        _writer.Notice(new DeskNotice(DeskNoticeKind.StreamReconnected, "event stream reconnected"));

        var lines = Lines();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.Equal("error", line.GetProperty("type").GetString()));
        Assert.All(lines, line => Assert.False(line.GetProperty("fatal").GetBoolean()));
        Assert.Equal("stream_dropped", lines[0].GetProperty("code").GetString());
        Assert.Equal(2, lines[0].GetProperty("retry_in_seconds").GetDouble());
        Assert.Equal(2, lines[0].GetProperty("attempt").GetInt32());
        Assert.Equal("token_expired", lines[1].GetProperty("code").GetString());
    }

    [Fact]
    public void Fatal_IsAnErrorWithTheExitCode()
    {
        _writer.Fatal("wrong_credentials", "login refused", ExitCodes.WrongCredentials);

        var line = SingleLine();
        Assert.Equal("error", line.GetProperty("type").GetString());
        Assert.True(line.GetProperty("fatal").GetBoolean());
        Assert.Equal(3, line.GetProperty("exit_code").GetInt32());
    }
}
