using CallCenter.Domain.History;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>What the agent tells others without waiting: its availability to its queues, its presence to its site and observers, handled calls and wrap-up to queues and calls, presence spans to the history store.</summary>
internal sealed partial class AgentGrain
{
    private void AnnounceAvailability()
    {
        if (S.Configuration is not { } configuration)
        {
            return;
        }

        var free = new List<Channel>(2);
        foreach (var channel in (Channel[])[Channel.Voice, Channel.Chat])
        {
            if (HasFreeCapacity(channel))
            {
                free.Add(channel);
            }
        }

        if (free.Count == 0)
        {
            TellQueuesUnavailable();
            return;
        }

        var definition = configuration.Definition;
        var availability = new AgentAvailability
        {
            AgentId = AgentId,
            TenantId = definition.TenantId,
            SiteId = definition.SiteId,
            Kind = definition.Kind,
            PartnerOrganization = definition.PartnerOrganization,
            Skills = definition.Skills,
            IdleSince = S.Counters.IdleSince ?? S.Presence.Since,
            Occupancy = S.Counters.Occupancy,
            PresenceVersion = S.PresenceVersion,
            FreeChannels = free,
            HasPhone = PhoneContact() is not null,
        };
        _announcedAvailable = true;
        foreach (var queueId in configuration.CandidateQueueIds)
        {
            GrainFactory.QueueRouting(queueId).AgentAvailableAsync(availability).Forget(logger, "availability to a queue");
        }
    }

    private void TellQueuesUnavailable()
    {
        if (!_announcedAvailable)
        {
            return;
        }

        _announcedAvailable = false;
        foreach (var queueId in S.Configuration?.CandidateQueueIds ?? [])
        {
            GrainFactory.QueueRouting(queueId).AgentUnavailableAsync(AgentId, S.PresenceVersion).Forget(logger, "unavailability to a queue");
        }
    }

    private void ReportPresence()
    {
        var status = Status();
        _observers.Notify(observer => observer.OnPresenceChanged(status));
        if (S.Configuration is { } configuration)
        {
            GrainFactory.GetGrain<ISitePresence>(configuration.Definition.SiteId)
                .AgentPresenceChangedAsync(AgentId, S.PresenceVersion, S.Presence.State, S.Counters.HandlingSeconds, S.Counters.AvailableSeconds).Forget(logger, "presence to its site");
        }
    }

    private void ReportHandled(double wrapUpSeconds)
    {
        foreach (var handled in S.InWrapUp)
        {
            GrainFactory.QueueRouting(handled.QueueId)
                .RecordHandledAsync(new HandledCall(handled.CallId, handled.SiteId, handled.TalkSeconds, wrapUpSeconds))
                .Forget(logger, "a handled call to its queue");
            GrainFactory.CallNotices(handled.CallId).RecordWrapUpAsync(AgentId, wrapUpSeconds).Forget(logger, "a wrap-up to a call");
        }

        S.InWrapUp.Clear();
    }

    /// <summary>
    /// Hands the span the agent just left to the history store, after the move is persisted. Not awaited, so a slow or
    /// failed store never delays or undoes a presence change; a span the store does not take is logged and lost (not
    /// retried): the interval reports then miss that stretch of the agent's time. LoggedOut spans are not recorded.
    /// </summary>
    private void RecordSpan(AgentPresence left, DateTimeOffset to)
    {
        if (S.Configuration is not { } configuration || left.State == PresenceState.LoggedOut || to <= left.Since)
        {
            return;
        }

        var span = new AgentStateSpan
        {
            AgentId = AgentId,
            TenantId = configuration.Definition.TenantId,
            SiteId = configuration.Definition.SiteId,
            State = left.State,
            From = left.Since,
            To = to,
        };
        WriteSpanAsync(span).Forget(logger, "a presence span to the history store");
    }

    private async Task WriteSpanAsync(AgentStateSpan span)
    {
        try
        {
            await history.AppendSpanAsync(span);
        }
        catch (Exception exception)
        {
            LogSpanLost(exception, span.AgentId, span.State, span.From, span.To);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The history store did not take agent {AgentId}'s {State} span {From:o}–{To:o}; it is lost to interval occupancy")]
    private partial void LogSpanLost(Exception exception, string agentId, PresenceState state, DateTimeOffset from, DateTimeOffset to);
}
