using System.Collections.Frozen;
using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>
/// The agent presence state machine and its time accounting. Pure: every method returns new values.
/// LoggedOut → Available ⇄ NotReady; Available → Reserved → Busy → WrapUp → Available; Reserved → NotReady on a missed offer.
/// </summary>
public static class AgentPresenceMachine
{
    private static readonly FrozenDictionary<PresenceState, PresenceState[]> Allowed = new Dictionary<PresenceState, PresenceState[]>
    {
        [PresenceState.LoggedOut] = [PresenceState.Available, PresenceState.NotReady],
        [PresenceState.Available] = [PresenceState.NotReady, PresenceState.Reserved, PresenceState.LoggedOut, PresenceState.Busy],
        [PresenceState.NotReady] = [PresenceState.Available, PresenceState.NotReady, PresenceState.LoggedOut, PresenceState.Busy],
        [PresenceState.Reserved] = [PresenceState.Busy, PresenceState.Available, PresenceState.NotReady, PresenceState.LoggedOut],
        [PresenceState.Busy] = [PresenceState.WrapUp, PresenceState.Busy, PresenceState.NotReady, PresenceState.Available],
        [PresenceState.WrapUp] = [PresenceState.Available, PresenceState.NotReady, PresenceState.LoggedOut, PresenceState.Busy, PresenceState.Reserved],
    }.ToFrozenDictionary();

    public static bool CanMove(PresenceState from, PresenceState to) => Allowed[from].Contains(to);

    /// <summary>States in which the agent is handling contacts (for occupancy).</summary>
    public static bool IsHandling(PresenceState state) => state is PresenceState.Reserved or PresenceState.Busy or PresenceState.WrapUp;

    /// <summary>Moves to <paramref name="next"/>, charging the time spent in the current state to the counters.</summary>
    public static (AgentPresence Presence, AgentCounters Counters) Move(AgentPresence current, AgentCounters counters, AgentPresence next, DateTimeOffset now)
    {
        if (!CanMove(current.State, next.State))
        {
            throw new InvalidOperationException($"an agent cannot move from {current.State} to {next.State}");
        }

        var elapsed = Math.Max(0, (now - current.Since).TotalSeconds);
        var charged = counters;
        if (IsHandling(current.State))
        {
            charged = charged with { HandlingSeconds = charged.HandlingSeconds + elapsed };
        }
        else if (current.State == PresenceState.Available)
        {
            charged = charged with { AvailableSeconds = charged.AvailableSeconds + elapsed };
        }

        if (next.State == PresenceState.Available && current.State != PresenceState.Available)
        {
            charged = charged with { IdleSince = now };
        }
        else if (next.State != PresenceState.Available)
        {
            charged = charged with { IdleSince = null };
        }

        return (next with { Since = now }, charged);
    }
}
