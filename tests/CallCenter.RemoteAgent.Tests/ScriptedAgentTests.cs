using CallCenter.Gateway.V1;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.RemoteAgent.Tests;

public sealed class ScriptedAgentTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingDesk _desk = new();
    private ScriptedAgent? _agent;

    public void Dispose() => _agent?.Dispose();

    private ScriptedAgent Agent(AgentScript script) => _agent = new ScriptedAgent(_desk, script, _time);

    private static AgentEvent OfferOf(string callId, long epoch = 1) =>
        new() { Offer = new Offer { CallId = callId, Epoch = epoch, QueueId = "sales" } };

    private static AgentEvent CallIn(string callId, string state) => new() { Call = new CallUpdate { CallId = callId, State = state } };

    private async Task AcceptedAndConnectedAsync(ScriptedAgent agent, string callId)
    {
        await agent.HandleAsync(OfferOf(callId), CancellationToken.None);
        await agent.HandleAsync(CallIn(callId, CallStates.Connecting), CancellationToken.None);
        await agent.HandleAsync(CallIn(callId, CallStates.Connected), CancellationToken.None);
    }

    [Fact]
    public async Task Offer_WithAutoAccept_IsAcceptedWithItsEpoch()
    {
        var agent = Agent(new AgentScript { AutoAccept = true });

        await agent.HandleAsync(OfferOf("call-1", epoch: 5), CancellationToken.None);

        Assert.Equal(["accept call-1 5"], _desk.Commands);
    }

    [Fact]
    public async Task WithoutAutoAccept_OffersAndCallsAreLeftAlone()
    {
        var agent = Agent(new AgentScript { WrapUpCode = "SOLVED", Hold = TimeSpan.FromSeconds(1) });

        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);

        Assert.Empty(_desk.Commands);
    }

    [Fact]
    public async Task ConnectedCall_IsHeld_ThenResumedAfterTheHoldSeconds()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, Hold = TimeSpan.FromSeconds(5) });

        await AcceptedAndConnectedAsync(agent, "call-1");
        Assert.Equal(["accept call-1 1", "hold call-1"], _desk.Commands);

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(2, _desk.Commands.Count);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("resume call-1", _desk.Commands[^1]);

        // Connected again after the resume: no second hold.
        await agent.HandleAsync(CallIn("call-1", CallStates.Held), CancellationToken.None);
        await agent.HandleAsync(CallIn("call-1", CallStates.Connected), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["accept call-1 1", "hold call-1", "resume call-1"], _desk.Commands);
    }

    [Fact]
    public async Task HangUpAfterSeconds_HangsUpThatLongAfterTheCallConnects()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, HangUpAfter = TimeSpan.FromSeconds(30) });

        await agent.HandleAsync(OfferOf("call-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(20));
        await agent.HandleAsync(CallIn("call-1", CallStates.Connected), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain("hang_up call-1", _desk.Commands);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("hang_up call-1", _desk.Commands[^1]);
    }

    [Fact]
    public async Task CallEndingFirst_CancelsItsTimers_AndIsWrappedUpWithTheCode()
    {
        var agent = Agent(new AgentScript
        {
            AutoAccept = true,
            Hold = TimeSpan.FromSeconds(5),
            HangUpAfter = TimeSpan.FromSeconds(10),
            WrapUpCode = "SOLVED",
        });

        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);
        // A repeated end (a resumed session lists it again) is wrapped up once.
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(["accept call-1 1", "hold call-1", "wrap_up call-1 SOLVED"], _desk.Commands);
        Assert.Equal(1, agent.HandledCalls);
    }

    private static AgentEvent AgentIn(AgentState state) => new() { State = new StateChanged { State = state } };

    [Fact]
    public async Task CallEndingWhileTheAgentIsStillBusy_IsWrappedUpOnceTheAgentIsInWrapUp()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "SOLVED", MaxCalls = 1 });
        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(AgentIn(AgentState.Busy), CancellationToken.None);

        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);
        Assert.DoesNotContain("wrap_up call-1 SOLVED", _desk.Commands);
        Assert.False(agent.Finished.IsCompleted);

        await agent.HandleAsync(AgentIn(AgentState.WrapUp), CancellationToken.None);
        Assert.Equal("wrap_up call-1 SOLVED", _desk.Commands[^1]);
        Assert.True(agent.Finished.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AgentInWrapUpBeforeTheCallsEndArrives_WrapsUpAtTheEnd()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "SOLVED" });
        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(AgentIn(AgentState.Busy), CancellationToken.None);
        await agent.HandleAsync(AgentIn(AgentState.WrapUp), CancellationToken.None);

        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);

        Assert.Equal("wrap_up call-1 SOLVED", _desk.Commands[^1]);
    }

    [Fact]
    public async Task QueueWithoutAWrapUpPhase_TheCallIsWrappedUpWhenTheAgentIsAvailableAgain()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "SOLVED" });
        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(AgentIn(AgentState.Busy), CancellationToken.None);
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);

        await agent.HandleAsync(AgentIn(AgentState.Available), CancellationToken.None);

        Assert.Equal(["accept call-1 1", "wrap_up call-1 SOLVED"], _desk.Commands);
    }

    [Fact]
    public async Task TransferredAwayCall_CountsAsEnded()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "XFER" });

        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(CallIn("call-1", CallStates.Queued), CancellationToken.None);

        Assert.Equal("wrap_up call-1 XFER", _desk.Commands[^1]);
    }

    [Fact]
    public async Task MaxCalls_FinishesTheScript_AfterThatManyAcceptedCallsEnded()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, MaxCalls = 2 });

        await AcceptedAndConnectedAsync(agent, "call-1");
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);
        Assert.False(agent.Finished.IsCompleted);
        // Someone else's call is none of the script's business.
        await agent.HandleAsync(CallIn("call-9", CallStates.Ended), CancellationToken.None);
        Assert.False(agent.Finished.IsCompleted);
        await AcceptedAndConnectedAsync(agent, "call-2");
        await agent.HandleAsync(CallIn("call-2", CallStates.Ended), CancellationToken.None);

        await agent.Finished.WaitAsync(TestTimeouts.Signal);
        Assert.Equal(2, agent.HandledCalls);
    }

    [Fact]
    public async Task RefusedAccept_DoesNotMakeTheCallTheScripts()
    {
        _desk.Refuse("accept");
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "SOLVED", MaxCalls = 1 });

        await agent.HandleAsync(OfferOf("call-1"), CancellationToken.None);
        await agent.HandleAsync(CallIn("call-1", CallStates.Ended), CancellationToken.None);

        Assert.Equal(["accept call-1 1"], _desk.Commands);
        Assert.False(agent.Finished.IsCompleted);
    }

    [Fact]
    public async Task ResumedSession_ListingTheCallAsEnded_WrapsItUp()
    {
        var agent = Agent(new AgentScript { AutoAccept = true, WrapUpCode = "SOLVED" });
        await AcceptedAndConnectedAsync(agent, "call-1");

        await agent.HandleAsync(new AgentEvent
        {
            Session = new SessionStarted { Resumed = true, Calls = { new CallUpdate { CallId = "call-1", State = CallStates.Ended } } },
        }, CancellationToken.None);

        Assert.Equal("wrap_up call-1 SOLVED", _desk.Commands[^1]);
    }

    [Fact]
    public async Task TimedCommandFailingFatally_FaultsTheScript()
    {
        _desk.FailFatally("resume", new DeskException(DeskFailure.SessionExpired, "session expired"));
        var agent = Agent(new AgentScript { AutoAccept = true, Hold = TimeSpan.FromSeconds(1) });
        await AcceptedAndConnectedAsync(agent, "call-1");

        _time.Advance(TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<DeskException>(() => agent.Finished.WaitAsync(TestTimeouts.Signal));
        Assert.Equal(DeskFailure.SessionExpired, failure.Failure);
    }

    /// <summary>Records each command as one line ("hold call-1") and answers success unless told otherwise.</summary>
    private sealed class RecordingDesk : IDeskCommands
    {
        private readonly Lock _lock = new();
        private readonly List<string> _commands = [];
        private readonly HashSet<string> _refused = [];
        private readonly Dictionary<string, Exception> _fatal = [];

        public List<string> Commands
        {
            get
            {
                lock (_lock)
                {
                    return [.. _commands];
                }
            }
        }

        public void Refuse(string command) => _refused.Add(command);

        public void FailFatally(string command, Exception failure) => _fatal[command] = failure;

        private Task<CommandOutcome> Record(string command, params string[] arguments)
        {
            lock (_lock)
            {
                _commands.Add(string.Join(' ', [command, .. arguments]));
            }
            if (_fatal.TryGetValue(command, out var failure))
            {
                return Task.FromException<CommandOutcome>(failure);
            }
            var ok = !_refused.Contains(command);
            return Task.FromResult(new CommandOutcome(command, [], ok, false, ok ? "" : "refused", ok ? null : Grpc.Core.StatusCode.FailedPrecondition));
        }

        public Task<CommandOutcome> SetStateAsync(AgentState state, string reasonCode, CancellationToken cancellationToken) =>
            Record("set_state", state.ToString(), reasonCode);

        public Task<CommandOutcome> AcceptAsync(string callId, long epoch, CancellationToken cancellationToken) =>
            Record("accept", callId, epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public Task<CommandOutcome> RejectAsync(string callId, long epoch, CancellationToken cancellationToken) => Record("reject", callId);

        public Task<CommandOutcome> HoldAsync(string callId, CancellationToken cancellationToken) => Record("hold", callId);

        public Task<CommandOutcome> ResumeAsync(string callId, CancellationToken cancellationToken) => Record("resume", callId);

        public Task<CommandOutcome> HangUpAsync(string callId, CancellationToken cancellationToken) => Record("hang_up", callId);

        public Task<CommandOutcome> TransferAsync(string callId, TransferKind kind, string target, string note, CancellationToken cancellationToken) =>
            Record("transfer", callId, target);

        public Task<CommandOutcome> ConsultAsync(string callId, ConsultAction action, TransferKind kind, string target, CancellationToken cancellationToken) =>
            Record("consult", callId, action.ToString());

        public Task<CommandOutcome> WrapUpAsync(string callId, string dispositionCode, string notes, CancellationToken cancellationToken) =>
            Record("wrap_up", callId, dispositionCode);
    }
}
