using CallCenter.Gateway.V1;
using CallCenter.RemoteAgent.Interactive;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.RemoteAgent.Tests;

public sealed class DeskViewTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly DeskView _view;

    public DeskViewTests() => _view = new DeskView(new LoginReply { AgentId = "alice", DispositionCodes = { "SOLVED" } }, _time);

    private static AgentEvent CallIn(string callId, string state) => new() { Call = new CallUpdate { CallId = callId, State = state } };

    [Fact]
    public void Offer_ShowsUntilTheCallConnects_ThenTheCallIsCurrent_AndWhenItEndsItWaitsForWrapUp()
    {
        _view.Apply(CallIn("call-1", CallStates.Offered));
        _view.Apply(new AgentEvent { Offer = new Offer { CallId = "call-1", Epoch = 1 } });
        _view.Apply(CallIn("call-1", CallStates.Offered));
        Assert.Equal("call-1", _view.Offer?.CallId);
        Assert.Empty(_view.Calls);

        _view.Apply(CallIn("call-1", CallStates.Connected));
        Assert.Null(_view.Offer);
        Assert.Equal("call-1", _view.CurrentCall?.CallId);

        _view.Apply(CallIn("call-1", CallStates.Ended));
        Assert.Null(_view.CurrentCall);
        Assert.Equal("call-1", _view.WrapUpCallId);

        _view.Apply(new CommandOutcome("wrap_up", [new("call_id", "call-1")], true, false, "", null));
        Assert.Null(_view.WrapUpCallId);
    }

    [Fact]
    public void WithdrawnOrExpiredOffer_Disappears()
    {
        _view.Apply(new AgentEvent { Offer = new Offer { CallId = "call-1" } });
        _view.Apply(new AgentEvent { OfferWithdrawn = new OfferWithdrawn { CallId = "call-1" } });
        Assert.Null(_view.Offer);

        _view.Apply(new AgentEvent { Offer = new Offer { CallId = "call-2", ExpiresAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddSeconds(10)) } });
        _view.ExpireOffer();
        Assert.NotNull(_view.Offer);
        _time.Advance(TimeSpan.FromSeconds(10));
        _view.ExpireOffer();
        Assert.Null(_view.Offer);
    }

    [Fact]
    public void ResumedSession_ReplacesTheCalls_AndClearsTheConnectionProblem()
    {
        _view.Apply(CallIn("call-1", CallStates.Connected));
        _view.Apply(new DeskNotice(DeskNoticeKind.StreamDropped, "event stream dropped"));
        Assert.Equal("event stream dropped", _view.ConnectionProblem);

        _view.Apply(new AgentEvent
        {
            Session = new SessionStarted
            {
                Resumed = true,
                State = new StateChanged { State = AgentState.Busy },
                Calls = { new CallUpdate { CallId = "call-2", State = CallStates.Held } },
            },
        });

        Assert.Null(_view.ConnectionProblem);
        Assert.Equal(AgentState.Busy, _view.State);
        Assert.Equal(["call-2"], _view.Calls.Select(c => c.CallId));
    }

    [Fact]
    public void Log_KeepsTheLatestLines()
    {
        for (var i = 0; i < 20; i++)
        {
            _view.Apply(new AgentEvent { SupervisorMessage = new SupervisorMessage { From = "sue", Text = $"message {i}" } });
        }

        Assert.Equal(12, _view.Log.Count);
        Assert.EndsWith("message from sue: message 19", _view.Log[^1]);
    }
}
