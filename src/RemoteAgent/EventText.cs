using System.Globalization;
using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent;

/// <summary>One readable line for each event and command: the plain output and the terminal desktop's log.</summary>
public static class EventText
{
    public static string Describe(AgentEvent agentEvent) => agentEvent.EventCase switch
    {
        AgentEvent.EventOneofCase.Heartbeat => "heartbeat",
        AgentEvent.EventOneofCase.Offer => Describe(agentEvent.Offer),
        AgentEvent.EventOneofCase.OfferWithdrawn => $"offer of call {agentEvent.OfferWithdrawn.CallId} withdrawn",
        AgentEvent.EventOneofCase.Call => Describe(agentEvent.Call),
        AgentEvent.EventOneofCase.State => "state " + Describe(agentEvent.State),
        AgentEvent.EventOneofCase.SupervisorMessage =>
            $"message from {agentEvent.SupervisorMessage.From}: {agentEvent.SupervisorMessage.Text}",
        AgentEvent.EventOneofCase.Session => Describe(agentEvent.Session),
        _ => "unknown event",
    };

    public static string Describe(Offer offer)
    {
        var customer = offer.ScreenPop?.Customer;
        var who = customer is { Name.Length: > 0 } ? $"{customer.Name}" + (customer.Tier.Length > 0 ? $" ({customer.Tier})" : "")
            : offer.ScreenPop?.CallerNumber ?? "";
        return $"offer: call {offer.CallId} from queue {offer.QueueId}, waited {Seconds(offer.WaitedSeconds)}"
            + (who.Length > 0 ? $", {who}" : "");
    }

    public static string Describe(CallUpdate call)
    {
        var text = $"call {call.CallId} {call.State}";
        if (call.QueueId.Length > 0)
        {
            text += $" (queue {call.QueueId})";
        }
        if (call.ConsultTarget.Length > 0)
        {
            text += $", consulting {call.ConsultTarget}";
        }
        if (call.Outcome.Length > 0)
        {
            text += $", outcome {call.Outcome}";
        }
        return text;
    }

    public static string Describe(StateChanged state)
    {
        var text = StateName(state.State);
        if (state.ReasonCode.Length > 0)
        {
            text += $" ({state.ReasonCode})";
        }
        if (state.WrapUpUntil is not null)
        {
            text += $" until {state.WrapUpUntil.ToDateTimeOffset().ToLocalTime():HH:mm:ss}";
        }
        return text;
    }

    public static string Describe(SessionStarted session)
    {
        var text = session.Resumed ? $"session {session.SessionId} resumed" : $"session {session.SessionId} started";
        if (session.State is not null)
        {
            text += ", " + Describe(session.State);
        }
        if (session.Calls.Count > 0)
        {
            text += ", calls: " + string.Join(", ", session.Calls.Select(c => $"{c.CallId} {c.State}"));
        }
        return text;
    }

    public static string Describe(CommandOutcome outcome)
    {
        var arguments = string.Join(" ", outcome.Arguments.Where(a => a.Value.Length > 0).Select(a => $"{a.Key}={a.Value}"));
        var result = outcome.Ok
            ? outcome.AlreadyDone ? "already done" : "ok"
            : "refused: " + outcome.Message;
        if (outcome.Ok && outcome.Message.Length > 0)
        {
            result += $" ({outcome.Message})";
        }
        return $"{outcome.Command}{(arguments.Length > 0 ? " " + arguments : "")}: {result}";
    }

    /// <summary>"Available" for AGENT_STATE_AVAILABLE.</summary>
    public static string StateName(AgentState state) => state switch
    {
        AgentState.LoggedOut => "LoggedOut",
        AgentState.Available => "Available",
        AgentState.NotReady => "NotReady",
        AgentState.Reserved => "Reserved",
        AgentState.Busy => "Busy",
        AgentState.WrapUp => "WrapUp",
        _ => "Unknown",
    };

    public static string Seconds(double seconds) => seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
