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

    public Task WaitForAnswersOfCallsPlacedSinceAsync(TimeSpan since, int count, string phase) =>
        Eventually.HoldsAsync(() => Task.FromResult(Ledger.AnsweredPlacedSince(since) >= count), $"{phase}: {count} calls placed since {since.TotalSeconds:F1} s answered", seconds: 120);

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

                return ended.Count == placed.Count;
            },
            "every call placed ends once the load stops (agents still answering)",
            seconds: 120,
            () => $"{pending.Count} calls not ended:\n{Describe(pending.Values)}\n{DescribeRouting()}\n{_cluster.SiloOutput()}");
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

    /// <summary>The queue's and every agent's view, for a failure message.</summary>
    private string DescribeRouting()
    {
        try
        {
            var queue = _cluster.Client.GetGrain<IQueueGrain>(QueueId).GetStatusAsync().GetAwaiter().GetResult();
            var agents = Desks.AgentIds.Select(agentId => _cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync().GetAwaiter().GetResult());
            return $"queue {QueueId}: {queue.Waiting.Count} waiting ({queue.Waiting.Count(waiting => waiting.OfferedToAgentId is not null)} offered), idle agents [{string.Join(", ", queue.IdleAgentIds)}]\n"
                + string.Join("\n", agents.Select(agent => $"{agent.AgentId}: {agent.Presence.State} ({agent.Presence.ReasonCode}) since {agent.Presence.Since:HH:mm:ss.fff} v{agent.PresenceVersion} offer {agent.Offer?.CallId}/{agent.Offer?.Epoch} exp {agent.Offer?.OfferExpiresAt:HH:mm:ss.fff} calls [{string.Join(", ", agent.Calls.Select(call => call.CallId))}]"));
        }
        catch (Exception exception)
        {
            return $"(routing state unreadable: {exception.Message})";
        }
    }

    private static bool IsSettled(AgentStatus agent) =>
        agent.Presence.State is PresenceState.Available or PresenceState.NotReady && agent.Offer is null && agent.Calls.Count == 0;

    private static string Timeline(CallSnapshot call) => string.Join(" → ", call.Timeline.Select(entry => $"{entry.Kind}({entry.AgentId})"));

    private static string Describe(IEnumerable<CallSnapshot?> calls) => string.Join("\n", calls.Take(10).Select(call => call is null
        ? "(unreadable)"
        : $"{call.CallId}: {call.State} queue {call.QueueId} agent {call.AgentId} offered to {call.OfferedAgentId}; timeline: {Timeline(call)}"));
}
