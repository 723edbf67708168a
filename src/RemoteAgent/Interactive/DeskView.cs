using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent.Interactive;

/// <summary>What the terminal desktop shows, kept apart from drawing it: the state bar, the offer, the calls, the log.</summary>
public sealed class DeskView(LoginReply login, TimeProvider time)
{
    private const int LogLines = 12;
    private readonly List<CallUpdate> _calls = [];
    private readonly List<string> _log = [];

    public LoginReply Login { get; private set; } = login;
    public AgentState State { get; private set; } = AgentState.Unspecified;
    public string ReasonCode { get; private set; } = "";
    public DateTimeOffset? WrapUpUntil { get; private set; }
    public Offer? Offer { get; private set; }

    /// <summary>The calls still with the agent; the last one changed comes last.</summary>
    public IReadOnlyList<CallUpdate> Calls => _calls;

    public CallUpdate? CurrentCall => _calls.Count > 0 ? _calls[^1] : null;

    /// <summary>The call that ended last and still waits for a disposition.</summary>
    public string? WrapUpCallId { get; private set; }

    public string? ConnectionProblem { get; private set; }
    public IReadOnlyList<string> Log => _log;

    public void Apply(AgentEvent agentEvent)
    {
        switch (agentEvent.EventCase)
        {
            case AgentEvent.EventOneofCase.Heartbeat:
                return;
            case AgentEvent.EventOneofCase.Offer:
                Offer = agentEvent.Offer;
                break;
            case AgentEvent.EventOneofCase.OfferWithdrawn when Offer?.CallId == agentEvent.OfferWithdrawn.CallId:
                Offer = null;
                break;
            case AgentEvent.EventOneofCase.Call:
                ApplyCall(agentEvent.Call);
                break;
            case AgentEvent.EventOneofCase.State:
                ApplyState(agentEvent.State);
                break;
            case AgentEvent.EventOneofCase.Session:
                ConnectionProblem = null;
                if (!agentEvent.Session.Resumed)
                {
                    // A new session knows nothing of an offer made to the old one.
                    Offer = null;
                }
                if (agentEvent.Session.State is { } state)
                {
                    ApplyState(state);
                }
                // The session's list is the truth after a (re)connect.
                _calls.Clear();
                foreach (var call in agentEvent.Session.Calls)
                {
                    ApplyCall(call);
                }
                break;
        }
        AddLog(EventText.Describe(agentEvent));
    }

    public void Apply(CommandOutcome outcome)
    {
        if (outcome.Ok)
        {
            switch (outcome.Command)
            {
                case "accept" or "reject" when Offer?.CallId == outcome.Argument("call_id"):
                    Offer = null;
                    break;
                case "wrap_up" when WrapUpCallId == outcome.Argument("call_id"):
                    WrapUpCallId = null;
                    break;
            }
        }
        AddLog(EventText.Describe(outcome));
    }

    public void Apply(DeskNotice notice)
    {
        ConnectionProblem = notice.Kind == DeskNoticeKind.StreamDropped ? notice.Message : null;
        AddLog(notice.Message);
    }

    public void Apply(LoginReply reply)
    {
        Login = reply;
    }

    /// <summary>Drops the offer once its answer time is over: the server has moved on.</summary>
    public void ExpireOffer()
    {
        if (Offer?.ExpiresAt is { } expiresAt && expiresAt.ToDateTimeOffset() <= time.GetUtcNow())
        {
            Offer = null;
        }
    }

    public void AddLog(string line)
    {
        _log.Add($"{time.GetLocalNow():HH:mm:ss} {line}");
        if (_log.Count > LogLines)
        {
            _log.RemoveAt(0);
        }
    }

    private void ApplyState(StateChanged state)
    {
        State = state.State;
        ReasonCode = state.ReasonCode;
        WrapUpUntil = state.WrapUpUntil?.ToDateTimeOffset();
    }

    private void ApplyCall(CallUpdate call)
    {
        if (CallStates.Is(call.State, CallStates.Offered))
        {
            // Still an offer: the offer panel shows it until it is accepted.
            return;
        }
        _calls.RemoveAll(c => c.CallId == call.CallId);
        if (CallStates.Is(call.State, CallStates.Ended) || CallStates.Is(call.State, CallStates.Queued))
        {
            WrapUpCallId = call.CallId;
        }
        else
        {
            _calls.Add(call);
            if (Offer?.CallId == call.CallId)
            {
                Offer = null;
            }
        }
    }
}
