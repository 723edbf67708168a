using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>The agent's timed work (wrap-up ending, a desktop or phone gone, an orphaned offer, re-announcing), driven by one grain timer.</summary>
internal sealed partial class AgentGrain
{
    public async Task ProcessDueWorkAsync()
    {
        var now = Now;
        if (S.DesktopSessionId is not null && S.DesktopGraceUntil is null && now > _desktopSeenAt + DesktopLease)
        {
            // Nobody renews the session: the silo that carried its stream died without a disconnect notice.
            LogDesktopLeaseLapsed(AgentId);
            S.DesktopGraceUntil = _desktopSeenAt + DesktopLease;
        }

        if (S.DesktopGraceUntil is { } graceUntil && now > graceUntil)
        {
            // The desktop stayed away past its grace: no more offers until the agent is back (a live call is kept).
            S.DesktopGraceUntil = null;
            S.DesktopSessionId = null;
            LogDesktopLost(AgentId);
            if (S.Presence.State is not (PresenceState.LoggedOut or PresenceState.NotReady))
            {
                await SetNotReadyAsync(ReasonCodes.Disconnected);
            }
            else
            {
                await WriteAsync();
            }
        }

        if (S.Presence.State == PresenceState.WrapUp && S.Presence.WrapUpUntil <= now)
        {
            await MoveAsync(AfterWork());
        }

        if (S.Presence.State == PresenceState.Available && S.DesktopSessionId is null && S.PhoneContact is not null && PhoneContact() is null)
        {
            // The agent's only device was a phone whose registration lapsed (its edge or site is gone): no longer reachable.
            LogPhoneLapsed(AgentId);
            S.PhoneContact = null;
            S.PhoneRegisteredUntil = default;
            await SetNotReadyAsync(ReasonCodes.Disconnected);
        }

        if (S.Offer is { OfferExpiresAt: { } expires } orphan && now > expires + OrphanedOfferGrace)
        {
            // The queue that made the offer never confirmed or withdrew it (it was lost with its silo): free the agent.
            LogOrphanedOffer(AgentId, orphan.CallId);
            GrainFactory.QueueRouting(orphan.QueueId).ReturnOfferAsync(orphan.CallId, AgentId, orphan.Epoch).Forget(logger, "an offer back to its queue");
            await ReleaseOfferForAsync(orphan.CallId, orphan.Epoch, OfferOutcome.InfrastructureFault);
        }

        if (S.Presence.State == PresenceState.Available || (S.Presence.State == PresenceState.Busy && S.Offer is null))
        {
            AnnounceAvailability();
        }

        foreach (var held in S.Calls)
        {
            // An accept whose answer was lost with a silo can leave this agent Busy with a call that was then answered by
            // someone else, or ended: the call knows, so ask it (one-way) and drop what is not ours.
            GrainFactory.CallNotices(held.CallId).VerifyHeldByAsync(AgentId).Forget(logger, "a hold check to a call");
        }

        // A grain timer can fire a little before the time it was set for, and then nothing above is due yet: set it
        // again for what remains, or a one-second wrap-up lasts until the next 15 s tick.
        ScheduleDueWork();

        MoveHomeIfAway();
    }

    private void ScheduleDueWork()
    {
        var due = AgentWorkload.NextDueWork(S.Presence, S.Offer?.OfferExpiresAt, S.DesktopGraceUntil, Now, AnnounceEvery, OrphanedOfferGrace);
        _dueWorkTimer?.Dispose();
        _dueWorkTimer = null;
        if (due is { } dueTime)
        {
            var start = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime;
            _dueWorkTimer = this.RegisterGrainTimer(ProcessDueWorkAsync, start, AnnounceEvery);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s desktop stayed away past its grace period: NotReady (disconnected)")]
    private partial void LogDesktopLost(string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId}'s desktop session was not renewed within its lease: its stream's silo is gone")]
    private partial void LogDesktopLeaseLapsed(string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s phone registration lapsed and no desktop is connected: NotReady (disconnected)")]
    private partial void LogPhoneLapsed(string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} freed itself from an offer of call {CallId} its queue never settled")]
    private partial void LogOrphanedOffer(string agentId, string callId);
}
