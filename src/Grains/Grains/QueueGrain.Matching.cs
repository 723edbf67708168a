using CallCenter.Domain.Routing;
using CallCenter.Grains.Messaging;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>Routing: matching waiting calls to idle agents (offers under leases), and the timed work (lease expiry, overflow) its timer runs.</summary>
internal sealed partial class QueueGrain
{
    public async Task ProcessDueWorkAsync()
    {
        if (S.Definition is not { } definition)
        {
            return;
        }

        var now = Now;
        var expiries = new List<Task>();
        foreach (var entry in S.Waiting)
        {
            if (entry.Offer is { } offer && now > offer.ExpiresAt)
            {
                // A phone the edge never reported ringing could not be reached (or its edge was lost): not the agent's doing.
                var outcome = entry.Ticket.RequiresPhone && !entry.OfferRinging ? OfferOutcome.DeviceUnreachable : OfferOutcome.NotAnswered;
                expiries.Add(ExpireAsync(entry, offer, outcome));
            }
        }

        var overflowed = false;
        foreach (var entry in S.Waiting.ToList())
        {
            if (entry.Offer is null && OverflowPolicy.IsDue(definition, entry.Ticket, now))
            {
                ApplyOverflow(entry, definition.Overflow!);
                overflowed = true;
            }
        }

        await Task.WhenAll(expiries);
        if (overflowed)
        {
            await Writer.WriteAsync();
        }

        await MatchAsync();
        ReportToRoutingView();
    }

    /// <summary>
    /// Offers waiting calls to idle agents until no proposal is left. Each offer is marked on its call and its agent taken
    /// off the idle list before the agent is asked, so interleaved turns never offer a call or an agent twice.
    /// </summary>
    private async Task MatchAsync()
    {
        for (var round = 0; round < 8; round++)
        {
            if (S.Definition is not { } definition || _idle.Count == 0 || S.Waiting.Count == 0)
            {
                return;
            }

            var now = Now;
            var proposals = Propose(definition, now);
            if (proposals.Count == 0)
            {
                return;
            }

            var offers = new List<(WaitingEntry Entry, OfferLease Lease)>(proposals.Count);
            foreach (var match in proposals)
            {
                _idle.Remove(match.Agent.AgentId);
                var entry = S.Waiting.First(candidate => candidate.Ticket.CallId == match.Call.CallId);
                entry.Offer = new OfferLease
                {
                    CallId = match.Call.CallId,
                    QueueId = QueueId,
                    AgentId = match.Agent.AgentId,
                    Epoch = ++S.NextEpoch,
                    ExpiresAt = now.AddSeconds(definition.AcceptTimeoutSeconds),
                    Channel = definition.Channel,
                    WaitedSeconds = WaitedSeconds(match.Call),
                    TenantId = match.Call.TenantId,
                };
                offers.Add((entry, entry.Offer));
                if (definition.Strategy == RoutingStrategy.RoundRobin)
                {
                    S.RoundRobinCursor = match.Agent.AgentId;
                }
            }

            var reserved = await Task.WhenAll(offers.Select(offer => TryReserveAsync(offer.Lease)));
            var refused = false;
            for (var i = 0; i < offers.Count; i++)
            {
                var (entry, lease) = offers[i];
                var stillOffered = ReferenceEquals(entry.Offer, lease) && S.Waiting.Contains(entry);
                if (!reserved[i])
                {
                    refused = true;
                    if (stillOffered)
                    {
                        ClearOffer(entry, OfferOutcome.Withdrawn);
                    }
                }
                else if (!stillOffered)
                {
                    // The call left (or the offer was taken back) while the agent was being asked.
                    await AgentOf(lease).ReleaseOfferForAsync(lease.CallId, lease.Epoch, OfferOutcome.Withdrawn);
                }
                else
                {
                    metrics.Offered(lease.WaitedSeconds, QueueId, entry.Ticket.SiteId);
                    NotifyCall(lease.CallId).OfferedAsync(lease).Forget(logger, "an offer to a call");
                }
            }

            if (!refused)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The matcher's proposals, without pairing a call with an agent whose device already failed it: such a call is
    /// matched again, alone, among the idle agents nobody else got and that did not fail it (or waits for one).
    /// </summary>
    private List<Match> Propose(QueueDefinition definition, DateTimeOffset now)
    {
        var proposals = Matcher.Propose(
            definition,
            S.Waiting.Where(entry => entry.Offer is null).Select(entry => entry.Ticket),
            _idle.Values,
            now,
            S.RoundRobinCursor);
        var passedOver = new Dictionary<string, WaitingEntry>(StringComparer.Ordinal);
        foreach (var entry in S.Waiting.Where(entry => entry.PassedOver.Count > 0))
        {
            passedOver.TryAdd(entry.Ticket.CallId, entry);
        }

        if (passedOver.Count == 0)
        {
            // The usual case: no call waiting has been failed by a device.
            return proposals;
        }

        var kept = new List<Match>(proposals.Count);
        var retry = new List<WaitingEntry>();
        foreach (var match in proposals)
        {
            if (passedOver.TryGetValue(match.Call.CallId, out var entry) && entry.PassedOver.Contains(match.Agent.AgentId))
            {
                retry.Add(entry);
            }
            else
            {
                kept.Add(match);
            }
        }

        foreach (var entry in retry)
        {
            var taken = kept.Select(match => match.Agent.AgentId).ToHashSet(StringComparer.Ordinal);
            var others = _idle.Values.Where(agent => !taken.Contains(agent.AgentId) && !entry.PassedOver.Contains(agent.AgentId)).ToList();
            if (others.Count > 0 && Matcher.Propose(definition, [entry.Ticket], others, now, S.RoundRobinCursor) is [var alternative, ..])
            {
                kept.Add(alternative);
            }
        }

        return kept;
    }

    private async Task<bool> TryReserveAsync(OfferLease lease)
    {
        try
        {
            return await AgentOf(lease).TryReserveAsync(lease);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogReserveFailed(exception, lease.AgentId, lease.CallId);
            return false;
        }
    }

    private async Task ExpireAsync(WaitingEntry entry, OfferLease offer, OfferOutcome outcome)
    {
        ClearOffer(entry, outcome);
        await AgentOf(offer).ReleaseOfferForAsync(offer.CallId, offer.Epoch, outcome);
        NotifyCall(offer.CallId).OfferWithdrawnAsync(offer, CallEventKind.OfferExpired).Forget(logger, "an offer expiry to a call");
    }

    private void ApplyOverflow(WaitingEntry entry, OverflowAction action)
    {
        var ticket = entry.Ticket;
        string? callbackId = null;
        if (action.Kind == OverflowKind.Callback)
        {
            // The callback takes the caller's place: same enqueue time, same priority.
            callbackId = OverflowPolicy.CallbackCallId(ticket.CallId);
            entry.Ticket = ticket with { CallId = callbackId, IsCallback = true };
        }
        else
        {
            S.Waiting.Remove(entry);
        }

        _statistics.Overflowed(ticket.SiteId);
        LogOverflow(ticket.CallId, QueueId, action.Kind);
        NotifyCall(ticket.CallId).OverflowedAsync(new OverflowNotice
        {
            FromQueueId = QueueId,
            Action = action,
            Ticket = ticket,
            CallbackCallId = callbackId,
        }).Forget(logger, "an overflow to a call");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reserving agent {AgentId} for call {CallId} failed")]
    private partial void LogReserveFailed(Exception exception, string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} overflowed from queue {QueueId}: {Kind}")]
    private partial void LogOverflow(string callId, string queueId, OverflowKind kind);
}
