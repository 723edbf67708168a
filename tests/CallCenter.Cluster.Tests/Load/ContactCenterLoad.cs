using System.Text;
using CallCenter.Cluster.Tests.Infrastructure;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// Callers and agent desks running against a <see cref="RedisCluster"/>, and the invariants of DESIGN.md judged once the
/// load has drained: no call lost, no call answered twice or by two agents, no agent holding two calls, no stuck agent.
/// </summary>
public sealed class ContactCenterLoad
{
    public const string QueueId = "failover";
    public const string DialledNumber = "7000";

    /// <summary>The agents of failover-callcenter.json: four in London, four in Manchester.</summary>
    public static readonly IReadOnlyList<string> AllAgents = ["lon-1", "lon-2", "lon-3", "lon-4", "man-1", "man-2", "man-3", "man-4"];

    private readonly RedisCluster _cluster;

    private ContactCenterLoad(RedisCluster cluster, SimulatedCallers callers, SimulatedAgentDesks desks, LoadLedger ledger)
    {
        _cluster = cluster;
        Callers = callers;
        Desks = desks;
        Ledger = ledger;
    }

    public LoadLedger Ledger { get; }

    public SimulatedCallers Callers { get; }

    public SimulatedAgentDesks Desks { get; }

    public static async Task<ContactCenterLoad> StartAsync(RedisCluster cluster, TimeSpan arrivalGap, IReadOnlyList<string> agents)
    {
        var ledger = new LoadLedger();
        var desks = new SimulatedAgentDesks(cluster.Client, ledger, agents);
        await desks.StartAsync();
        var callers = new SimulatedCallers(cluster.Client, ledger, DialledNumber, arrivalGap);
        callers.Start();
        return new ContactCenterLoad(cluster, callers, desks, ledger);
    }

    public Task WaitForAnswersAsync(int count, string phase) =>
        Eventually.HoldsAsync(() => Task.FromResult(Ledger.Answered >= count), $"{phase}: {count} calls answered (so far {Ledger.Answered})", seconds: 90);

    /// <summary>
    /// Waits until at least <paramref name="count"/> calls placed since <paramref name="since"/> were answered and every
    /// desk's agent answered one of them: an agent that the queues stopped offering calls to (stuck for routing though
    /// it looks Available) fails here.
    /// </summary>
    public Task WaitForAnswersOfCallsPlacedSinceAsync(TimeSpan since, int count, string phase) => Eventually.HoldsAsync(
        () => Task.FromResult(Ledger.AnsweredPlacedSince(since) >= count && Desks.AgentIds.All(Ledger.AgentsAnsweringCallsPlacedSince(since).Contains)),
        $"{phase}: {count} calls placed since {since.TotalSeconds:F1} s answered, by every agent",
        seconds: 120,
        () => $"answered: {Ledger.AnsweredPlacedSince(since)}; agents who answered none: {string.Join(", ", Desks.AgentIds.Except(Ledger.AgentsAnsweringCallsPlacedSince(since)))}\n{DescribeRoutingAsync().GetAwaiter().GetResult()}");

    /// <summary>Prints how long after <paramref name="disruptionAt"/> routing came back, by three measures.</summary>
    public void ReportRecovery(string disruption, TimeSpan disruptionAt)
    {
        static string After(TimeSpan? at, TimeSpan from) => at is { } value ? $"{(value - from).TotalSeconds:F1} s" : "never";
        _cluster.Log($"routing resumed {After(Ledger.FirstAnswerOfCallPlacedAfter(disruptionAt), disruptionAt)} after {disruption} "
            + $"(first answer of a call placed after it); first offer after it: {After(Ledger.FirstOfferAfter(disruptionAt), disruptionAt)}, "
            + $"first answer of any call: {After(Ledger.FirstAnswerAfter(disruptionAt), disruptionAt)}");
    }

    /// <summary>
    /// Stops new callers, lets the desks answer every call still waiting, stops the desks and checks the invariants:
    /// every call placed ended exactly once, answered by exactly one agent; no desk saw an agent with two calls; every
    /// agent is back to Available or NotReady with no offer and no call; the queue holds no call any more.
    /// </summary>
    public async Task DrainAndAssertInvariantsAsync()
    {
        await Callers.StopAsync();
        var placed = Ledger.PlacedCalls;
        _cluster.Log($"load stopped: {placed.Count} calls placed, {Ledger.Answered} answered so far; requests failed and retried: {Ledger.FailureSummary}");
        var ended = new Dictionary<string, CallSnapshot>();
        var pending = new Dictionary<string, CallSnapshot?>();
        var lastProgress = Ledger.Now;
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var callId in placed.Where(callId => !ended.ContainsKey(callId)))
                {
                    try
                    {
                        var snapshot = await _cluster.Client.GetGrain<ICallGrain>(callId).GetAsync();
                        if (snapshot.State == CallState.Ended)
                        {
                            ended[callId] = snapshot;
                            pending.Remove(callId);
                        }
                        else
                        {
                            pending[callId] = snapshot;
                        }
                    }
                    catch (Exception exception) when (exception is OrleansException or TimeoutException)
                    {
                        pending[callId] = null;
                    }
                }

                if (Ledger.Now - lastProgress > TimeSpan.FromSeconds(10))
                {
                    lastProgress = Ledger.Now;
                    _cluster.Log($"draining: {ended.Count} of {placed.Count} calls ended; {await DescribeRoutingAsync()}");
                }

                return ended.Count == placed.Count;
            },
            "every call placed ends once the load stops (agents still answering)",
            seconds: 120,
            () => $"{pending.Count} calls not ended:\n{Describe(pending.Values)}\n{_cluster.SiloOutput()}");
        await Desks.StopAsync();

        var problems = new StringBuilder();
        var acceptedBy = Ledger.AcceptedBy;
        foreach (var call in ended.Values)
        {
            var accepts = call.Timeline.Count(entry => entry.Kind == CallEventKind.Accepted);
            var ends = call.Timeline.Count(entry => entry.Kind == CallEventKind.Ended);
            var confirmedTo = acceptedBy.GetValueOrDefault(call.CallId) ?? [];
            if (call.Outcome != CallOutcome.Answered || accepts != 1 || ends != 1 || confirmedTo.Count > 1
                || (confirmedTo.Count == 1 && confirmedTo[0] != call.AgentId))
            {
                problems.AppendLine($"call {call.CallId}: outcome {call.Outcome} ({call.OutcomeDetail}), agent {call.AgentId}, {accepts} accepts, {ends} ends, accept confirmed to [{string.Join(", ", confirmedTo)}]; timeline: {Timeline(call)}");
            }
        }

        // Seen from the calls: an agent's calls never overlap (each is accepted after the previous one ended).
        foreach (var byAgent in ended.Values.Where(call => call.AgentId is not null && call.Timeline.Any(entry => entry.Kind == CallEventKind.Accepted)).GroupBy(call => call.AgentId!))
        {
            var calls = byAgent.OrderBy(AcceptedAt).ToList();
            for (var i = 1; i < calls.Count; i++)
            {
                if (AcceptedAt(calls[i]) < calls[i - 1].EndedAt)
                {
                    problems.AppendLine($"agent {byAgent.Key} accepted call {calls[i].CallId} at {AcceptedAt(calls[i]):HH:mm:ss.fff} while still on call {calls[i - 1].CallId} (ended {calls[i - 1].EndedAt:HH:mm:ss.fff})");
                }
            }
        }

        foreach (var violation in Ledger.Violations)
        {
            problems.AppendLine(violation);
        }

        Assert.True(problems.Length == 0, $"invariants broken:\n{problems}");

        var agents = new Dictionary<string, AgentStatus>();
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var agentId in Desks.AgentIds)
                {
                    agents[agentId] = await _cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync();
                }

                return agents.Values.All(IsSettled);
            },
            "every agent settles to Available or NotReady with no offer and no call",
            seconds: 60,
            () => string.Join("\n", agents.Values.Where(agent => !IsSettled(agent)).Select(agent =>
                $"{agent.AgentId}: {agent.Presence.State} ({agent.Presence.ReasonCode}) offer {agent.Offer?.CallId} calls [{string.Join(", ", agent.Calls.Select(call => call.CallId))}]")));

        QueueStatus? queue = null;
        await Eventually.HoldsAsync(
            async () => (queue = await _cluster.Client.GetGrain<IQueueGrain>(QueueId).GetStatusAsync()).Waiting.Count == 0,
            "the queue holds no call once every call ended",
            seconds: 30,
            () => $"still waiting: {string.Join(", ", queue?.Waiting.Select(waiting => waiting.CallId) ?? [])}");
        _cluster.Log($"drained: {ended.Count} calls answered once each by one agent; {agents.Count} agents settled ({string.Join(", ", agents.Values.Select(agent => $"{agent.AgentId} {agent.Presence.State}"))})");
    }

    /// <summary>The queue's and every agent's view, for the progress log.</summary>
    private async Task<string> DescribeRoutingAsync()
    {
        try
        {
            var queue = await _cluster.Client.GetGrain<IQueueGrain>(QueueId).GetStatusAsync();
            var agents = await Task.WhenAll(Desks.AgentIds.Select(agentId => _cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync()));
            return $"queue {QueueId}: {queue.Waiting.Count} waiting ({queue.Waiting.Count(waiting => waiting.OfferedToAgentId is not null)} offered), idle agents [{string.Join(", ", queue.IdleAgentIds)}]; agents: "
                + string.Join(", ", agents.Select(agent => $"{agent.AgentId} {agent.Presence.State}{(agent.Presence.ReasonCode is { } reason ? $"({reason})" : string.Empty)}{(agent.Presence.WrapUpUntil is { } until ? $" until {until:HH:mm:ss.f}" : string.Empty)} since {agent.Presence.Since:HH:mm:ss.f} v{agent.PresenceVersion}{(agent.Offer is { } offer ? $" offer {offer.CallId}#{offer.Epoch}" : string.Empty)}"));
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            return $"(routing state unreadable: {exception.Message})";
        }
    }

    private static DateTimeOffset AcceptedAt(CallSnapshot call) => call.Timeline.First(entry => entry.Kind == CallEventKind.Accepted).At;

    private static bool IsSettled(AgentStatus agent) =>
        agent.Presence.State is PresenceState.Available or PresenceState.NotReady && agent.Offer is null && agent.Calls.Count == 0;

    private static string Timeline(CallSnapshot call) => string.Join(" → ", call.Timeline.Select(entry => $"{entry.Kind}({entry.AgentId})"));

    private static string Describe(IEnumerable<CallSnapshot?> calls) => string.Join("\n", calls.Take(10).Select(call => call is null
        ? "(unreadable)"
        : $"{call.CallId}: {call.State} queue {call.QueueId} agent {call.AgentId} offered to {call.OfferedAgentId}; timeline: {Timeline(call)}"));
}
