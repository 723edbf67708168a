using System.Collections.Concurrent;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

/// <summary>
/// Hundreds of agents across two sites and thousands of calls over the two-silo cluster, with random accept, reject,
/// timeout, duplicate and stale commands, abandon, hang-up and logout, all racing each other. Between rounds the fake clock
/// advances and every invariant of the design is checked; at the end every call must have exactly one outcome.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RandomizedConcurrencyTests(ClusterFixture fixture)
{
    private const int Agents = 240;
    private const int Rounds = 40;
    private const int CallsPerRound = 60;
    private static readonly string[] Sites = ["north", "south"];

    [Fact]
    public async Task RandomTraffic_KeepsEveryInvariant()
    {
        var random = new Random(20261123);
        var scenario = new Scenario(fixture);
        var queues = new[]
        {
            await scenario.QueueAsync("sales", q => Shape(q) with { RequiredSkills = [new("sales", 3)], Strategy = RoutingStrategy.LongestIdle }),
            await scenario.QueueAsync("support", q => Shape(q) with { RequiredSkills = [new("support", 3)], Strategy = RoutingStrategy.MostSkilled, Priority = 2 }),
            await scenario.QueueAsync("general", q => Shape(q) with { Strategy = RoutingStrategy.RoundRobin, AgingPointsPerMinute = 1 }),
        };
        var agents = new List<AgentProbe>();
        for (var i = 0; i < Agents; i++)
        {
            var sales = random.Next(1, 11);
            var support = random.Next(1, 11);
            agents.Add(await scenario.AgentAsync($"agent{i}", site: Sites[i % 2], shape: a => a with { Skills = [new("sales", sales), new("support", support)] }, login: false));
        }

        await Task.WhenAll(agents.Select(agent => scenario.Agent(agent.AgentId).LoginAsync()));
        var calls = new List<ICallGrain>();
        var acceptedBy = new ConcurrentDictionary<string, ConcurrentBag<string>>();

        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < CallsPerRound; i++)
            {
                var queue = queues[random.Next(queues.Length)];
                var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id($"r{round}c{i}"));
                calls.Add(call);
                await call.ArriveAsync(new CallArrival { SiteId = Sites[random.Next(2)], CallerNumber = scenario.Id($"caller{random.Next(500)}") });
            }

            // Enqueue this round's calls concurrently with the agents acting on their offers.
            var actions = new List<Task>(calls.Skip(calls.Count - CallsPerRound).Select(call => call.EnqueueAsync(queues[random.Next(queues.Length)].Id)));
            actions.AddRange(ActOnOffers(scenario, agents, random, acceptedBy, acceptEverything: false));
            actions.AddRange(RandomPresenceChanges(scenario, agents, random));
            actions.AddRange(await RandomHangUpsAsync(calls, random, 0.08));
            await Task.WhenAll(actions);

            scenario.Advance(TimeSpan.FromSeconds(random.Next(1, 8)));
            await Task.WhenAll(queues.Select(queue => scenario.Queue(queue.Id).ProcessDueWorkAsync()));
            await Task.WhenAll(agents.Select(agent => scenario.Agent(agent.AgentId).ProcessDueWorkAsync()));
            await AssertAgentInvariantsAsync(scenario, agents);
        }

        // Drain: every agent back and accepting everything, callers and agents hanging up, until every call has ended.
        for (var drain = 0; drain < 400 && !await AllEndedAsync(calls); drain++)
        {
            await Task.WhenAll(agents.Select(async agent =>
            {
                var presence = (await scenario.AgentStatusAsync(agent)).Presence.State;
                if (presence == PresenceState.LoggedOut)
                {
                    await scenario.Agent(agent.AgentId).LoginAsync();
                }
                else if (presence == PresenceState.NotReady)
                {
                    await scenario.Agent(agent.AgentId).SetAvailableAsync();
                }
            }));
            await Task.WhenAll(ActOnOffers(scenario, agents, random, acceptedBy, acceptEverything: true));
            await Task.WhenAll(await RandomHangUpsAsync(calls, random, 0.5));
            scenario.Advance(TimeSpan.FromSeconds(6));
            await Task.WhenAll(queues.Select(queue => scenario.Queue(queue.Id).ProcessDueWorkAsync()));
            await Task.WhenAll(agents.Select(agent => scenario.Agent(agent.AgentId).ProcessDueWorkAsync()));
            await AssertAgentInvariantsAsync(scenario, agents);
        }

        var snapshots = await Task.WhenAll(calls.Select(call => call.GetAsync()));
        Assert.All(snapshots, snapshot =>
        {
            Assert.True(snapshot.State == CallState.Ended, $"call {snapshot.CallId} is still {snapshot.State}: a call was lost");
            Assert.NotEqual(CallOutcome.None, snapshot.Outcome);
            Assert.Single(snapshot.Timeline, e => e.Kind == CallEventKind.Ended);
        });
        Assert.All(acceptedBy, pair => Assert.True(pair.Value.Count == 1, $"call {pair.Key} was accepted by {string.Join(",", pair.Value)}"));
        Assert.All(snapshots.Where(s => s.Outcome == CallOutcome.Answered), s => Assert.True(acceptedBy.ContainsKey(s.CallId), $"answered call {s.CallId} has no accepting agent"));
        Assert.Contains(snapshots, s => s.Outcome == CallOutcome.Answered);
        Assert.Contains(snapshots, s => s.Outcome == CallOutcome.Abandoned);
        foreach (var queue in queues)
        {
            Assert.Empty((await scenario.Queue(queue.Id).GetStatusAsync()).Waiting);
        }

        foreach (var agent in agents)
        {
            var status = await scenario.AgentStatusAsync(agent);
            Assert.Empty(status.Calls);
            Assert.Null(status.Offer);
            Assert.DoesNotContain(status.Presence.State, new[] { PresenceState.Reserved, PresenceState.Busy });
        }
    }

    private static QueueDefinition Shape(QueueDefinition queue) => queue with
    {
        AcceptTimeoutSeconds = 10,
        WrapUpSeconds = 5,
        Stages = [new() { AfterSeconds = 0, Scope = StageScope.OwnSite }, new() { AfterSeconds = 20, Scope = StageScope.AnySite }],
    };

    /// <summary>Each pending offer gets a random fate: accept (sometimes twice, sometimes with a stale epoch first), reject, logout, or nothing (it will time out).</summary>
    private static IEnumerable<Task> ActOnOffers(Scenario scenario, List<AgentProbe> agents, Random random, ConcurrentDictionary<string, ConcurrentBag<string>> acceptedBy, bool acceptEverything)
    {
        foreach (var agent in agents)
        {
            while (agent.TryTakeOffer(out var offer))
            {
                var roll = acceptEverything ? 0 : random.Next(100);
                var call = scenario.Grains.GetGrain<ICallGrain>(offer!.CallId);
                yield return roll switch
                {
                    < 60 => AcceptAsync(call, agent.AgentId, offer, duplicate: roll < 10, staleFirst: roll is >= 10 and < 15, acceptedBy),
                    < 72 => call.RejectAsync(agent.AgentId, offer.Epoch),
                    < 77 => scenario.Agent(agent.AgentId).LogoutAsync(),
                    _ => Task.CompletedTask,
                };
            }
        }
    }

    private static async Task AcceptAsync(ICallGrain call, string agentId, OfferLease offer, bool duplicate, bool staleFirst, ConcurrentDictionary<string, ConcurrentBag<string>> acceptedBy)
    {
        if (staleFirst)
        {
            Assert.False((await call.AcceptAsync(agentId, offer.Epoch - 1)).Status == CommandStatus.Ok);
        }

        var results = duplicate
            ? await Task.WhenAll(call.AcceptAsync(agentId, offer.Epoch), call.AcceptAsync(agentId, offer.Epoch))
            : [await call.AcceptAsync(agentId, offer.Epoch)];
        if (results.Count(result => result.Status == CommandStatus.Ok) > 1)
        {
            throw new InvalidOperationException($"call {offer.CallId}: a duplicate accept took effect twice");
        }

        if (results.Any(result => result.Status == CommandStatus.Ok))
        {
            acceptedBy.GetOrAdd(offer.CallId, _ => []).Add(agentId);
        }
    }

    private static IEnumerable<Task> RandomPresenceChanges(Scenario scenario, List<AgentProbe> agents, Random random)
    {
        foreach (var agent in agents.OrderBy(_ => random.Next()).Take(12))
        {
            var grain = scenario.Agent(agent.AgentId);
            yield return (random.Next(4)) switch
            {
                0 => grain.LoginAsync(),
                1 => grain.SetAvailableAsync(),
                2 => grain.SetNotReadyAsync("break"),
                _ => grain.LogoutAsync(),
            };
        }
    }

    private static async Task<IEnumerable<Task>> RandomHangUpsAsync(List<ICallGrain> calls, Random random, double share)
    {
        var live = new List<ICallGrain>();
        foreach (var call in calls.OrderBy(_ => random.Next()).Take(200))
        {
            if ((await call.GetAsync()).State != CallState.Ended && random.NextDouble() < share)
            {
                live.Add(call);
            }
        }

        return live.Select(call => call.HangUpAsync(random.Next(2) == 0 ? CallParty.Caller : CallParty.Agent));
    }

    private static async Task<bool> AllEndedAsync(List<ICallGrain> calls) =>
        (await Task.WhenAll(calls.Select(call => call.GetAsync()))).All(snapshot => snapshot.State == CallState.Ended);

    /// <summary>No agent holds more than one voice call; no call is offered to two agents; Reserved and Busy always have a call.</summary>
    private static async Task AssertAgentInvariantsAsync(Scenario scenario, List<AgentProbe> agents)
    {
        var statuses = await Task.WhenAll(agents.Select(agent => scenario.AgentStatusAsync(agent)));
        foreach (var status in statuses)
        {
            Assert.True(status.Calls.Count <= 1, $"agent {status.AgentId} holds {status.Calls.Count} voice calls");
            if (status.Presence.State == PresenceState.Reserved)
            {
                Assert.True(status.Offer is not null, $"agent {status.AgentId} is Reserved without an offer");
            }

            if (status.Presence.State == PresenceState.Busy)
            {
                Assert.True(status.Calls.Count == 1, $"agent {status.AgentId} is Busy without a call");
            }
        }

        var doubleOffers = statuses.Where(s => s.Offer is not null).GroupBy(s => s.Offer!.CallId).Where(group => group.Count() > 1).ToList();
        Assert.True(doubleOffers.Count == 0, $"calls offered to two agents at once: {string.Join("; ", doubleOffers.Select(g => $"{g.Key} → {string.Join(",", g.Select(s => s.AgentId))}"))}");
        var heldTwice = statuses.SelectMany(s => s.Calls.Select(c => (c.CallId, s.AgentId))).GroupBy(x => x.CallId).Where(g => g.Count() > 1).ToList();
        Assert.True(heldTwice.Count == 0, $"calls held by two agents: {string.Join("; ", heldTwice.Select(g => g.Key))}");
    }
}
