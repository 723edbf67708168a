using CallCenter.Domain;
using System.Diagnostics;
using CallCenter.Domain.History;
using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Configuration;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Placement;
using CallCenter.Grains.Telemetry;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace CallCenter.Grains.Grains;

/// <summary>
/// One call's lifecycle, timeline and single outcome. It awaits its queue and its agent (never the other way round),
/// and watches that its queue still holds it while it waits, so a notice lost with a silo never loses the call.
/// The grain orchestrates: the state machine (<see cref="CallLifecycle"/>), the bounded timeline
/// (<see cref="CallTimeline"/>), input limits (<see cref="InputLimits"/>) and its views (<see cref="CallViews"/>) are
/// plain classes. Its methods are split by role: <c>CallGrain.Edge.cs</c> (arrival, IVR, queueing, media, the edge's
/// lease), <c>CallGrain.Desk.cs</c> (accept, hold, hang-up, notes, wrap-up), <c>CallGrain.Transfer.cs</c> (transfer and
/// consult), <c>CallGrain.Notices.cs</c> (what queues and agents tell it, and the queue watchdog),
/// <c>CallGrain.History.cs</c> (the call record's outbox) and <c>CallGrain.Reminder.cs</c> (the edge lease's durable reminder).
/// </summary>
[GrainType("call"), SitePlacement]
internal sealed partial class CallGrain(
    [PersistentState("call", StorageNames.State)] IPersistentState<CallGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    ICallHistory history,
    Microsoft.Extensions.Options.IOptions<CallLeaseOptions> leaseOptions,
    CallCenterMetrics metrics,
    EntryPointDirectory entryPoints,
    ILogger<CallGrain> logger) : Grain, ICallGrain, ICallNotices, IIncomingGrainCallFilter
{
    /// <summary>How long a consulted agent stays reserved; a longer consult frees the agent (counted as a missed offer).</summary>
    public static readonly TimeSpan ConsultReservation = TimeSpan.FromMinutes(15);

    /// <summary>How often a call record the history store did not take is tried again.</summary>
    public static readonly TimeSpan HistoryRetryEvery = TimeSpan.FromSeconds(10);

    /// <summary>How long a call's edge may stay silent (it renews every 10 s) before the call counts as lost with it, unless configured (<see cref="CallLeaseOptions"/>).</summary>
    public static readonly TimeSpan EdgeLease = TimeSpan.FromMinutes(1);

    /// <summary>Watchers are renewed by the edge every few seconds; a desktop's watch lasts the call (no call lasts a day).</summary>
    private static readonly TimeSpan ObserverExpiry = TimeSpan.FromDays(1);

    private readonly ObserverManager<ICallObserver> _observers = new(ObserverExpiry, logger);

    private CallGrainState S => state.State;

    private string CallId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>After any call that added to the timeline, the observers get a notice of what changed: one place for every change.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Orleans' server span of this call (when traced): findable by the call's id, like the edge's spans.
        Activity.Current?.SetTag("callcenter.call_id", CallId);
        var before = S.Events.Count;
        await context.Invoke();
        if (_observers.Count > 0 && S.Events.Count != before)
        {
            var notice = CallViews.Notice(CallId, S, before);
            _observers.Notify(observer => observer.OnCallChanged(notice));
            if (S.State == CallState.Ended)
            {
                // The end is the last notice; watchers delete their references after it.
                _observers.Clear();
            }
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Timeline.Count > 0 && S.Events.Count == 0)
        {
            // Stored before the timeline was bounded: bound it now (written with the next change).
            S.Events = CallTimeline.From(S.Timeline);
            S.Timeline.Clear();
        }

        _edgeSeenAt = Now;
        if (S.EdgeLeased && S.State != CallState.Ended)
        {
            StartEdgeLeaseTimer();
        }

        if (CallLifecycle.IsWaiting(S.State))
        {
            StartWatchdog();
        }

        if (S.HistoryPending)
        {
            StartHistoryRetry();
        }

        return Task.CompletedTask;
    }

    /// <summary>A silo shutting down gives a pending call record one more try (the flag stays in state if it fails).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (S.HistoryPending)
        {
            await FlushHistoryAsync(retryLater: false);
        }
    }

    /// <summary>Ends the call; <paramref name="endedAt"/> is when it really ended, when that was before now (a hang-up delivered late, an edge gone silent).</summary>
    private async Task EndAsync(CallOutcome outcome, string? detail, DateTimeOffset? endedAt = null)
    {
        var end = endedAt ?? Now;
        Move(CallState.Ended);
        S.Outcome = outcome;
        S.OutcomeDetail = detail;
        S.EndedAt = end;
        S.TalkSecondsAtEnd = TalkSeconds(end);
        Record(CallEventKind.Ended, $"{outcome}: {detail}", S.AgentId, S.QueueId);
        StopWatchdog();
        S.HistoryRevision = 1;
        S.HistoryPending = true;
        await state.WriteStateAsync();
        if (S.EdgeLeased)
        {
            await UnregisterEdgeLeaseReminderAsync();
        }

        metrics.CallEnded(outcome, S.QueueId, S.Arrival?.SiteId);
        Activity.Current?.AddEvent(new ActivityEvent("call.ended", tags: new ActivityTagsCollection
        {
            ["call.outcome"] = outcome.ToString(),
            ["call.queue"] = S.QueueId,
        }));
        await FlushHistoryAsync();
        if (S.CustomerKey is { } customerKey)
        {
            await GrainFactory.GetGrain<ICustomerGrain>(customerKey).AddContactAsync(new ContactRecord
            {
                CallId = CallId,
                At = Now,
                Outcome = outcome,
                AgentId = S.AgentId ?? S.Events.LastAcceptedBy,
                QueueId = S.QueueId,
                WaitSeconds = S.WaitSeconds,
                TalkSeconds = S.TalkSecondsAtEnd,
            });
        }
    }

    private void Connect(DateTimeOffset now)
    {
        Move(CallState.Connected);
        S.ConnectedAt = now;
        Record(CallEventKind.Connected, agentId: S.AgentId);
    }

    /// <summary>Every state change goes through the lifecycle table: a move it does not allow is a bug, not a state.</summary>
    private void Move(CallState next)
    {
        if (!CallLifecycle.CanMove(S.State, next))
        {
            throw new InvalidOperationException($"call '{CallId}' cannot move from {S.State} to {next}");
        }

        S.State = next;
    }

    private double TalkSeconds() => TalkSeconds(Now);

    private double TalkSeconds(DateTimeOffset until) => S.ConnectedAt is { } connected ? Math.Max(0, (until - connected).TotalSeconds) : 0;

    private void Record(CallEventKind kind, string? detail = null, string? agentId = null, string? queueId = null) =>
        S.Events.Add(new CallEvent(Now, kind, detail, agentId, queueId));

    private IQueueRouting Queue(string queueId) => GrainFactory.QueueRouting(queueId);

    private CallSnapshot Snapshot() => CallViews.Snapshot(CallId, S);
}
