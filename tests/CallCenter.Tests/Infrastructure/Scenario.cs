using CallCenter.Domain.Configuration;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// A test's own queues, agents and calls, with ids unique to the test so tests share one cluster without meeting.
/// Grains are configured directly (the configuration grain's own tests cover the admin path).
/// </summary>
public sealed class Scenario(ClusterFixture fixture)
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<QueueDefinition> _queues = [];
    private int _calls;

    public IGrainFactory Grains => fixture.Grains;

    public Dictionary<string, AgentProbe> Probes { get; } = [];

    public string Id(string name) => $"{_prefix}-{name}";

    public async Task<QueueDefinition> QueueAsync(string name, Func<QueueDefinition, QueueDefinition>? shape = null)
    {
        var queue = new QueueDefinition
        {
            Id = Id(name),
            Name = name,
            Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
            WrapUpSeconds = 0,
        };
        queue = shape?.Invoke(queue) ?? queue;
        _queues.RemoveAll(existing => existing.Id == queue.Id);
        _queues.Add(queue);
        await Grains.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue);
        return queue;
    }

    /// <summary>Configures an agent for every queue of the scenario so far, subscribes a probe, and (by default) logs it in and waits until the queues know it is idle.</summary>
    public async Task<AgentProbe> AgentAsync(string name, string site = "north", Func<AgentDefinition, AgentDefinition>? shape = null, bool login = true)
    {
        var definition = new AgentDefinition { Id = Id(name), Name = name, SiteId = site };
        definition = shape?.Invoke(definition) ?? definition;
        var agent = Grains.GetGrain<IAgentGrain>(definition.Id);
        await agent.ConfigureAsync(new AgentConfiguration
        {
            Definition = definition,
            CandidateQueueIds = QueueMembership.CandidateQueues(definition, _queues),
            ReasonCodes = ["break", "lunch"],
        });
        var probe = new AgentProbe(definition.Id);
        Probes[definition.Id] = probe;
        await agent.SubscribeAsync(Grains.CreateObjectReference<IAgentObserver>(probe));
        if (login)
        {
            await LoginAsync(definition.Id);
        }

        return probe;
    }

    public async Task LoginAsync(string agentId)
    {
        await Agent(agentId).LoginAsync();
        await WaitUntilIdleInQueuesAsync(agentId);
    }

    /// <summary>
    /// Waits until every candidate queue lists the agent as idle (agents tell queues by one-way notices),
    /// or until a queue has already reserved the agent for a waiting call.
    /// </summary>
    public async Task WaitUntilIdleInQueuesAsync(string agentId)
    {
        var definition = (await Agent(agentId).GetStatusAsync()).Definition!;
        foreach (var queue in _queues.Where(q => QueueMembership.CandidateQueues(definition, [q]).Count > 0))
        {
            await Eventually.HoldsAsync(
                async () => (await Queue(queue.Id).GetStatusAsync()).IdleAgentIds.Contains(agentId)
                    || (await Agent(agentId).GetStatusAsync()).Presence.State != PresenceState.Available,
                $"queue '{queue.Id}' learning that agent '{agentId}' is idle");
        }
    }

    public async Task<ICallGrain> CallAsync(string queueName, string site = "north", string? caller = null, string tenant = TenantDefinition.DefaultTenantId)
    {
        var call = Grains.GetGrain<ICallGrain>(Id($"call{Interlocked.Increment(ref _calls)}"));
        await call.ArriveAsync(new CallArrival { SiteId = site, TenantId = tenant, CallerNumber = caller ?? Id($"caller{_calls}") });
        var result = await call.EnqueueAsync(Id(queueName));
        Assert.True(result.Status == EnqueueStatus.Queued, $"enqueue into '{queueName}' gave {result.Status}: {result.Message}");
        return call;
    }

    /// <summary>A queue "q" (shaped as given), one logged-in agent "a", one call, and the offer that agent received.</summary>
    public async Task<(ICallGrain Call, AgentProbe Agent, OfferLease Offer)> OfferedCallAsync(Func<QueueDefinition, QueueDefinition>? queueShape = null)
    {
        await QueueAsync("q", queueShape);
        var agent = await AgentAsync("a");
        var call = await CallAsync("q");
        return (call, agent, await agent.NextOfferAsync("offer to the only idle agent"));
    }

    /// <summary>A call to <paramref name="queueName"/> offered to and accepted by <paramref name="agent"/>.</summary>
    public async Task<(ICallGrain Call, OfferLease Offer)> AnsweredCallAsync(AgentProbe agent, string queueName = "q")
    {
        var call = await CallAsync(queueName);
        var offer = await agent.NextOfferAsync("offer of the call to answer");
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, offer.Epoch)).Status);
        return (call, offer);
    }

    public IAgentGrain Agent(string agentId) => Grains.GetGrain<IAgentGrain>(agentId);

    public IQueueGrain Queue(string queueId) => Grains.GetGrain<IQueueGrain>(queueId);

    public Task<AgentStatus> AgentStatusAsync(AgentProbe probe) => Agent(probe.AgentId).GetStatusAsync();

    public void Advance(TimeSpan by) => fixture.Clock.Advance(by);
}
