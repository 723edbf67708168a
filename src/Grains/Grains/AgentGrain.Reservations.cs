using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>Offers and held calls: a queue reserves the agent, confirms or takes back the offer; a call tells it the call ended or is not with it.</summary>
internal sealed partial class AgentGrain
{
    public Task<bool> TryReserveAsync(OfferLease lease)
    {
        if (S.Offer is { } current && current.CallId == lease.CallId && current.Epoch == lease.Epoch)
        {
            return Task.FromResult(true);
        }

        if (S.Configuration is null || S.Offer is not null || !HasFreeCapacity(lease.Channel))
        {
            return Task.FromResult(false);
        }

        S.Offer = new AgentCallRef(lease.CallId, lease.QueueId, lease.Epoch, lease.Channel, lease.ExpiresAt);
        if (S.Presence.State == PresenceState.Available)
        {
            // The reservation is not written: if this activation is lost, the queue's lease expiry frees the call,
            // and the agent comes back in its last written state. The Available span it ends is recorded all the same
            // (an activation lost now would later record an Available span overlapping it: docs/reports.md).
            var left = S.Presence;
            (S.Presence, S.Counters) = AgentPresenceMachine.Move(S.Presence, S.Counters, new AgentPresence { State = PresenceState.Reserved }, Now);
            S.PresenceVersion++;
            RecordSpan(left, S.Presence.Since);
            ReportPresence();
        }

        TellQueuesUnavailable();
        ScheduleDueWork();
        _observers.Notify(observer => observer.OnOffer(lease));
        return Task.FromResult(true);
    }

    public async Task<CommandResult> ConfirmAcceptAsync(string callId, long epoch, double wrapUpSeconds)
    {
        if (S.Calls.Any(call => call.CallId == callId && call.Epoch == epoch))
        {
            return CommandResult.AlreadyDone;
        }

        if (S.Offer is not { } offer || offer.CallId != callId || offer.Epoch != epoch)
        {
            return CommandResult.Stale($"agent '{AgentId}' holds no offer of call '{callId}' with epoch {epoch}");
        }

        S.Offer = null;
        S.Calls.Add(offer with { OfferExpiresAt = null });
        S.WrapUpByCall[callId] = wrapUpSeconds;
        await MoveAsync(new AgentPresence { State = PresenceState.Busy });
        return CommandResult.Ok;
    }

    public Task ReleaseOfferAsync(string callId, long epoch, bool missed) =>
        ReleaseOfferForAsync(callId, epoch, missed ? OfferOutcome.NotAnswered : OfferOutcome.Withdrawn);

    public async Task ReleaseOfferForAsync(string callId, long epoch, OfferOutcome outcome)
    {
        if (S.Offer is not { } offer || offer.CallId != callId || offer.Epoch != epoch)
        {
            return;
        }

        S.Offer = null;
        _observers.Notify(observer => observer.OnOfferWithdrawn(callId, epoch));
        if (S.Presence.State != PresenceState.Reserved)
        {
            AnnounceAvailability();
            return;
        }

        if (outcome.ChargesAgent())
        {
            (S.LastMissedCallId, S.LastMissedEpoch) = outcome == OfferOutcome.NotAnswered ? (callId, epoch) : (null, 0);
            S.Counters = S.Counters with { MissedOffers = S.Counters.MissedOffers + 1 };
            await MoveAsync(new AgentPresence { State = PresenceState.NotReady, ReasonCode = ReasonCodes.MissedOffer });
        }
        else
        {
            // A device that could not ring, or a platform fault, is not the agent's doing: Available again.
            if (outcome is not OfferOutcome.Withdrawn)
            {
                LogOfferFailedWithoutCharge(AgentId, callId, outcome);
            }

            await MoveAsync(new AgentPresence { State = PresenceState.Available });
        }
    }

    public async Task LateAcceptAsync(string callId, long epoch)
    {
        if (S.LastMissedCallId != callId || S.LastMissedEpoch != epoch)
        {
            return;
        }

        // The agent answered; the accept was held up (or clicked just late) and the offer's expiry charged it meanwhile.
        LogLateAcceptNotCharged(AgentId, callId);
        (S.LastMissedCallId, S.LastMissedEpoch) = (null, 0);
        S.Counters = S.Counters with { MissedOffers = Math.Max(0, S.Counters.MissedOffers - 1) };
        if (S.Presence is { State: PresenceState.NotReady, ReasonCode: ReasonCodes.MissedOffer })
        {
            await MoveAsync(new AgentPresence { State = PresenceState.Available });
        }
        else
        {
            await WriteAsync();
        }
    }

    public async Task CallEndedAsync(string callId, double talkSeconds, string siteId)
    {
        var index = S.Calls.FindIndex(call => call.CallId == callId);
        if (index < 0)
        {
            return;
        }

        S.InWrapUp.Add(new PendingHandledCall { QueueId = S.Calls[index].QueueId, CallId = callId, SiteId = siteId, TalkSeconds = talkSeconds });
        S.Calls.RemoveAt(index);
        var wrapUp = S.WrapUpByCall.Remove(callId, out var seconds) ? seconds : 0;
        S.Counters = S.Counters with { Handled = S.Counters.Handled + 1, TalkSeconds = S.Counters.TalkSeconds + talkSeconds };
        if (S.Calls.Count > 0)
        {
            await WriteAsync();
            AnnounceAvailability();
            return;
        }

        if (wrapUp > 0)
        {
            await MoveAsync(new AgentPresence { State = PresenceState.WrapUp, WrapUpUntil = Now.AddSeconds(wrapUp) });
        }
        else
        {
            await MoveAsync(AfterWork());
        }
    }

    public async Task DropCallAsync(string callId)
    {
        var index = S.Calls.FindIndex(call => call.CallId == callId);
        if (index < 0)
        {
            return;
        }

        LogCallDropped(AgentId, callId);
        S.Calls.RemoveAt(index);
        S.WrapUpByCall.Remove(callId);
        if (S.Calls.Count == 0 && S.Presence.State == PresenceState.Busy)
        {
            await MoveAsync(AfterWork());
        }
        else
        {
            await WriteAsync();
            AnnounceAvailability();
        }
    }

    /// <summary>Hands a pending offer back to its queue (which puts the call back in its place) without waiting on the queue.</summary>
    private void GiveBackOffer()
    {
        if (S.Offer is not { } offer)
        {
            return;
        }

        S.Offer = null;
        GrainFactory.QueueRouting(offer.QueueId).ReturnOfferAsync(offer.CallId, AgentId, offer.Epoch).Forget(logger, "an offer back to its queue");
        _observers.Notify(observer => observer.OnOfferWithdrawn(offer.CallId, offer.Epoch));
    }

    private bool HasFreeCapacity(Channel channel) =>
        AgentWorkload.HasFreeCapacity(S.Configuration?.Definition, S.Presence.State, S.Offer is not null, S.Calls, channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s offer of call {CallId} failed ({Outcome}): not counted as missed")]
    private partial void LogOfferFailedWithoutCharge(string agentId, string callId, OfferOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} accepted call {CallId} after its offer expired: the missed offer is taken back")]
    private partial void LogLateAcceptNotCharged(string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} dropped call {CallId}, which is not with it any more (an accept lost with a silo)")]
    private partial void LogCallDropped(string agentId, string callId);
}
