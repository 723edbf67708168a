using System.Collections.Concurrent;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// Watches, through the grains, every call that a queue or an agent holds while SIP callers run through real edges: which
/// call was waiting or with an agent (and when it was last seen so), and whether an agent was ever made NotReady for a
/// missed offer. The SIP edges create the calls, so the test learns their ids here. It also reads the healthy silos'
/// readiness on each turn while a fault is on.
/// </summary>
public sealed class CallWatch(IClusterClient client, IReadOnlyList<string> agentIds, string queueId)
{
    private readonly ConcurrentDictionary<string, CallSighting> _calls = new();
    private readonly ConcurrentQueue<string> _penalties = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _watching;

    /// <summary>Every call seen waiting or with an agent, by id.</summary>
    public IReadOnlyDictionary<string, CallSighting> Calls => _calls;

    /// <summary>"agent: presence" for every time an agent was seen NotReady for a missed offer.</summary>
    public IReadOnlyCollection<string> Penalties => _penalties.ToList();

    public void Start() => _watching = WatchAsync(_stop.Token);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_watching is not null)
        {
            await _watching;
        }
    }

    /// <summary>Reads the queue and every agent once now: the calls of <paramref name="siteId"/> waiting and with an agent.</summary>
    public async Task<(IReadOnlyList<string> Waiting, IReadOnlyList<string> Talking)> SnapshotAsync(string siteId)
    {
        var queue = await client.GetGrain<IQueueGrain>(queueId).GetStatusAsync();
        var agents = await Task.WhenAll(agentIds.Select(agentId => client.GetGrain<IAgentGrain>(agentId).GetStatusAsync()));
        Record(queue, agents);
        var waiting = queue.Waiting.Where(entry => entry.OfferedToAgentId is null && CallIds.SiteOf(entry.CallId) == siteId).Select(entry => entry.CallId).ToList();
        var talking = agents.SelectMany(agent => agent.Calls).Select(call => call.CallId).Where(callId => CallIds.SiteOf(callId) == siteId).Distinct().ToList();
        return (waiting, talking);
    }

    /// <summary>How many calls were seen with an agent, in all.</summary>
    public int Connected => _calls.Values.Count(call => call.WithAgent);

    private async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var queue = await client.GetGrain<IQueueGrain>(queueId).GetStatusAsync();
                var agents = await Task.WhenAll(agentIds.Select(agentId => client.GetGrain<IAgentGrain>(agentId).GetStatusAsync()));
                Record(queue, agents);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // A silo or Redis down under the read: the next turn reads again.
            }

            try
            {
                // The pace of the watch, not synchronisation: each turn is a round of reads.
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Record(QueueStatus queue, AgentStatus[] agents)
    {
        foreach (var entry in queue.Waiting)
        {
            _calls.AddOrUpdate(entry.CallId, _ => new CallSighting(Waiting: true, WithAgent: false), (_, seen) => seen with { Waiting = true });
        }

        foreach (var agent in agents)
        {
            foreach (var call in agent.Calls)
            {
                _calls.AddOrUpdate(call.CallId, _ => new CallSighting(Waiting: false, WithAgent: true), (_, seen) => seen with { WithAgent = true });
            }

            if (agent.Presence is { State: PresenceState.NotReady, ReasonCode: ReasonCodes.MissedOffer })
            {
                _penalties.Enqueue($"{agent.AgentId}: {agent.Presence}");
            }
        }
    }
}

/// <summary>How a call was seen: waiting in the queue, with an agent.</summary>
public sealed record CallSighting(bool Waiting, bool WithAgent);
