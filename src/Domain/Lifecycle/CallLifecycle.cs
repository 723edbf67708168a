using System.Collections.Frozen;
using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>
/// The call state machine: Arrived → InIvr → Queued → Offered → Connecting → Connected ⇄ Held / Consulting → Ended.
/// A call returns to Queued when an offer is withdrawn or it is transferred to a queue; Ended is final.
/// </summary>
public static class CallLifecycle
{
    private static readonly FrozenDictionary<CallState, CallState[]> Allowed = new Dictionary<CallState, CallState[]>
    {
        [CallState.New] = [CallState.Arrived, CallState.Queued],
        [CallState.Arrived] = [CallState.InIvr, CallState.Queued, CallState.Ended],
        [CallState.InIvr] = [CallState.Queued, CallState.Ended],
        [CallState.Queued] = [CallState.Offered, CallState.Connecting, CallState.Queued, CallState.Ended],
        [CallState.Offered] = [CallState.Queued, CallState.Connecting, CallState.Ended],
        [CallState.Connecting] = [CallState.Connected, CallState.Queued, CallState.Ended],
        [CallState.Connected] = [CallState.Held, CallState.Consulting, CallState.Queued, CallState.Ended],
        [CallState.Held] = [CallState.Connected, CallState.Consulting, CallState.Queued, CallState.Ended],
        [CallState.Consulting] = [CallState.Connected, CallState.Held, CallState.Queued, CallState.Ended],
        [CallState.Ended] = [],
    }.ToFrozenDictionary();

    public static bool CanMove(CallState from, CallState to) => Allowed[from].Contains(to);

    public static bool IsWaiting(CallState state) => state is CallState.Queued or CallState.Offered;

    public static bool IsWithAgent(CallState state) => state is CallState.Connecting or CallState.Connected or CallState.Held or CallState.Consulting;

    /// <summary>The outcome of a hang-up in <paramref name="state"/>: after an agent took the call it was answered, before it was abandoned.</summary>
    public static CallOutcome OutcomeOfHangUp(CallState state, CallParty party) => state switch
    {
        _ when IsWithAgent(state) => CallOutcome.Answered,
        _ when party == CallParty.System => CallOutcome.Failed,
        _ => CallOutcome.Abandoned,
    };
}
