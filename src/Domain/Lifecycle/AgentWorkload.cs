using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>What an agent can take on and when its grain must next look at it: decisions drawn from its state alone.</summary>
public static class AgentWorkload
{
    /// <summary>
    /// Whether the agent can take another contact on <paramref name="channel"/>: Available with capacity for it, or busy
    /// with chats only and below its chat capacity (a voice call takes the agent whole). Never while an offer is pending.
    /// </summary>
    public static bool HasFreeCapacity(AgentDefinition? definition, PresenceState state, bool offerPending, IReadOnlyCollection<AgentCallRef> calls, Channel channel)
    {
        if (definition is null || offerPending)
        {
            return false;
        }

        var capacity = definition.CapacityFor(channel);
        return state switch
        {
            PresenceState.Available => capacity > 0,
            PresenceState.Busy => channel != Channel.Voice && calls.All(call => call.Channel == channel) && calls.Count < capacity,
            _ => false,
        };
    }

    /// <summary>
    /// How long until the agent's timed work is due (its wrap-up ends, an orphaned offer is given up, the desktop's grace
    /// ends, or it re-announces itself), or null when nothing is.
    /// </summary>
    public static TimeSpan? NextDueWork(
        AgentPresence presence,
        DateTimeOffset? offerExpiresAt,
        DateTimeOffset? desktopGraceUntil,
        DateTimeOffset now,
        TimeSpan announceEvery,
        TimeSpan orphanedOfferGrace)
    {
        var due = presence.State switch
        {
            PresenceState.WrapUp when presence.WrapUpUntil is { } until => until - now,
            _ when offerExpiresAt is { } expires => expires + orphanedOfferGrace - now,
            PresenceState.Available or PresenceState.Busy => announceEvery,
            _ => (TimeSpan?)null,
        };
        if (desktopGraceUntil is { } graceUntil && (due is null || graceUntil - now < due))
        {
            // Just past the end of the grace period, so the check sees it over.
            due = graceUntil - now + TimeSpan.FromMilliseconds(1);
        }

        return due;
    }
}
