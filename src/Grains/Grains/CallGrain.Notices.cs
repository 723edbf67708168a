using CallCenter.Domain.Lifecycle;
using CallCenter.Domain.Routing;
using CallCenter.Grains.Contracts;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>What queues and agents tell the call (offers, overflow, callbacks, wrap-up, who holds it), and the watchdog that puts a waiting call back in a queue that lost it.</summary>
internal sealed partial class CallGrain
{
    private static readonly TimeSpan WatchEvery = TimeSpan.FromSeconds(20);

    private IGrainTimer? _watchdog;

    public Task OfferedAsync(OfferLease lease)
    {
        // Advisory: the queue holds the lease. Not written on its own; the next transition writes the timeline. One-way
        // notices may overtake each other: a newer offer (a higher epoch) can come before the older one's withdrawal.
        var newer = S.State == CallState.Offered && lease.Epoch > (S.OfferEpoch ?? long.MaxValue);
        if ((S.State == CallState.Queued || newer) && lease.QueueId == S.QueueId)
        {
            if (!newer)
            {
                Move(CallState.Offered);
            }

            S.OfferEpoch = lease.Epoch;
            Record(CallEventKind.Offered, $"epoch {lease.Epoch}", lease.AgentId, lease.QueueId);
        }

        return Task.CompletedTask;
    }

    public Task OfferWithdrawnAsync(OfferLease lease, CallEventKind why)
    {
        if (S.State == CallState.Offered && S.OfferEpoch == lease.Epoch)
        {
            Move(CallState.Queued);
            S.OfferEpoch = null;
            Record(why, $"epoch {lease.Epoch}", lease.AgentId, lease.QueueId);
        }

        return Task.CompletedTask;
    }

    public async Task OverflowedAsync(OverflowNotice notice)
    {
        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId != notice.FromQueueId)
        {
            return;
        }

        // If the watchdog put the call back before this notice came, take it out again: one place at a time.
        await Queue(notice.FromQueueId).RemoveAsync(CallId, CallEventKind.Overflowed);
        Record(CallEventKind.Overflowed, notice.Action.Kind.ToString(), queueId: notice.FromQueueId);
        switch (notice.Action.Kind)
        {
            case OverflowKind.Queue when notice.Action.TargetQueueId is { } target:
                var result = await EnterQueueAsync(target, OverflowPolicy.TicketForTarget(notice.Ticket, Now), CallEventKind.Queued);
                if (result.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
                {
                    await EndAsync(CallOutcome.Overflowed, $"overflow queue '{target}' refused the call: {result.Status}");
                }

                break;
            case OverflowKind.Callback when notice.CallbackCallId is { } callbackId:
                await EndAsync(CallOutcome.CallbackScheduled, callbackId);
                await GrainFactory.CallNotices(callbackId).StartCallbackAsync(Snapshot(), notice.Ticket with { CallId = callbackId, IsCallback = true }, notice.FromQueueId);
                break;
            default:
                await EndAsync(CallOutcome.Overflowed, notice.Action.AnnouncementId is { } announcement ? $"announcement {announcement}" : "overflow");
                break;
        }
    }

    public async Task StartCallbackAsync(CallSnapshot original, QueueTicket ticket, string queueId)
    {
        if (S.State != CallState.New)
        {
            return;
        }

        S.Arrival = original.Arrival;
        S.CustomerKey = original.CustomerKey;
        S.CallbackOfCallId = original.CallId;
        foreach (var (key, value) in original.AttachedData)
        {
            S.AttachedData[key] = value;
        }

        Move(CallState.Queued);
        S.QueueId = queueId;
        S.Ticket = ticket;
        Record(CallEventKind.CallbackScheduled, $"keeps the place of {original.CallId}", queueId: queueId);
        StartWatchdog();
        await state.WriteStateAsync();
    }

    public async Task VerifyHeldByAsync(string agentId)
    {
        var heldByAgent = CallLifecycle.IsWithAgent(S.State) && (S.AgentId == agentId || S.Consult?.Target == agentId);
        if (!heldByAgent)
        {
            await GrainFactory.AgentReservations(agentId).DropCallAsync(CallId);
        }
    }

    public async Task RecordWrapUpAsync(string agentId, double seconds)
    {
        // No wrap-up changes nothing in the record, so it makes no new revision.
        if (S.State != CallState.Ended || !double.IsFinite(seconds) || seconds <= 0 || !S.WrapUpByAgent.TryAdd(agentId, seconds))
        {
            return;
        }

        AmendHistory();
        await state.WriteStateAsync();
        await FlushHistoryAsync();
    }

    private void StartWatchdog() => _watchdog ??= this.RegisterGrainTimer(WatchQueueAsync, WatchEvery, WatchEvery);

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }

    /// <summary>A waiting call whose queue no longer holds it (a notice lost with a silo) goes back in its place.</summary>
    private async Task WatchQueueAsync()
    {
        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is not { } queueId || S.Ticket is not { } ticket)
        {
            StopWatchdog();
            return;
        }

        if (await Queue(queueId).ContainsAsync(CallId))
        {
            return;
        }

        LogRequeued(CallId, queueId);
        Move(CallState.Queued);
        S.OfferEpoch = null;
        await EnterQueueAsync(queueId, ticket, CallEventKind.Requeued);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} was missing from queue {QueueId} and was put back in its place")]
    private partial void LogRequeued(string callId, string queueId);
}
