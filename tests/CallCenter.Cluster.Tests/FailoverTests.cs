using CallCenter.Cluster.Tests.Infrastructure;
using CallCenter.Cluster.Tests.Load;
using CallCenter.Grains;
using CallCenter.Model;
using Xunit.Abstractions;
using SiloProcess = CallCenter.TestKit.SiloProcess;

namespace CallCenter.Cluster.Tests;

/// <summary>
/// Issue 6, "run it for real": three silo processes on one Redis, callers and auto-answering agents in the test process,
/// and the failures production meets: a silo killed, a silo drained (a Kubernetes scale-in), Redis restarted. Each test
/// judges DESIGN.md's invariants once the load drains and prints how long routing took to come back; none asserts on time.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    /// <summary>About three callers a second: a little more than eight agents talking 1–3 s clear, so calls wait.</summary>
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Kills either the silo holding the queue's activation (its leases and idle-agent list are soft state: the worst place
    /// for routing) or another silo holding agents (the queue survives and must take back agents whose grains restarted).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SigKill_UnderLoad_EveryCallAnsweredOnceAndNoAgentStuck(bool theQueuesSilo)
    {
        await using var cluster = await RedisCluster.StartAsync(output);
        var load = await ContactCenterLoad.StartAsync(cluster, Busy, ContactCenterLoad.AllAgents);
        await load.WaitForAnswersAsync(15, "load before the kill");

        var queueSilo = await cluster.SiloHostingAsync(cluster.Client.GetGrain<IQueueGrain>(ContactCenterLoad.QueueId));
        var victim = theQueuesSilo ? queueSilo ?? cluster.Silos[0] : await SiloHostingMostAgentsAsync(cluster, except: queueSilo);
        var killedAt = load.Ledger.Now;
        await victim.KillAsync();
        cluster.Log($"SIGKILL sent to silo {victim.Name} ({victim.SiteId}, pid {victim.ProcessId}); the queue was on {queueSilo?.Name ?? "no silo"}; {load.Ledger.Answered} answers so far");

        await load.WaitForAnswersOfCallsPlacedSinceAsync(killedAt, 15, "load after the kill");
        load.ReportRecovery("SIGKILL", killedAt);
        await Eventually.HoldsAsync(async () => await cluster.ActiveSiloCountAsync() == 2, "the killed silo is declared dead in the membership table");
        cluster.Log($"membership listed 2 active silos when checked, {(load.Ledger.Now - killedAt).TotalSeconds:F1} s after SIGKILL (checked once the load after the kill was answered)");

        await load.DrainAndAssertInvariantsAsync();
        Assert.All(cluster.Silos.Where(silo => silo != victim), silo => Assert.False(silo.HasExited, $"silo {silo.Name} exited:\n{silo.Output}"));
    }

    [Fact]
    public async Task SigTerm_OfTheQueuesSiloUnderLoad_ExitsCleanlyKeepsEveryCallAndRoutingGoesOn()
    {
        await using var cluster = await RedisCluster.StartAsync(output);
        var load = await ContactCenterLoad.StartAsync(cluster, Busy, ContactCenterLoad.AllAgents);
        await load.WaitForAnswersAsync(15, "load before the drain");

        var victim = await cluster.SiloHostingAsync(cluster.Client.GetGrain<IQueueGrain>(ContactCenterLoad.QueueId)) ?? cluster.Silos[0];
        var before = await SnapshotsOfLiveCallsAsync(cluster, load.Ledger.PlacedCalls);
        var terminatedAt = load.Ledger.Now;
        victim.Terminate();
        cluster.Log($"SIGTERM sent to silo {victim.Name} ({victim.SiteId}, pid {victim.ProcessId}), host of queue '{ContactCenterLoad.QueueId}'; "
            + $"{before.Count(call => CallIsWaiting(call.State))} calls waiting, {before.Count(call => call.State == CallState.Connected)} connected");

        // The host stops waiting for the silo at its shutdown timeout; the margin is for the process to end after that.
        var exitCode = await victim.WaitForExitAsync(RedisCluster.ShutdownTimeout + TimeSpan.FromSeconds(15));
        cluster.Log($"silo {victim.Name} exited with {exitCode} {(load.Ledger.Now - terminatedAt).TotalSeconds:F1} s after SIGTERM");
        Assert.True(exitCode == 0, $"silo {victim.Name} exited with {exitCode}:\n{victim.Output}");
        Assert.Contains("Application is shutting down", victim.Output);

        // What was written before the stop is intact: no waiting call went back to before its queue, no connected call
        // lost its agent.
        foreach (var earlier in before)
        {
            var now = await cluster.Client.GetGrain<ICallGrain>(earlier.CallId).GetAsync();
            Assert.True(now.State is not (CallState.New or CallState.Arrived), $"call {earlier.CallId} was {earlier.State} before the drain and is {now.State} after it");
            if (earlier.State == CallState.Connected)
            {
                Assert.True(now.AgentId == earlier.AgentId && now.State is CallState.Connected or CallState.Ended,
                    $"call {earlier.CallId} was connected to {earlier.AgentId} before the drain; after it: {now.State} with {now.AgentId}");
            }
        }

        await load.WaitForAnswersOfCallsPlacedSinceAsync(terminatedAt, 15, "load after the drain");
        load.ReportRecovery("SIGTERM", terminatedAt);
        Assert.Equal(2, await cluster.ActiveSiloCountAsync());
        await load.DrainAndAssertInvariantsAsync();
    }

    [Fact]
    public async Task RedisRestart_WithAppendOnlyPersistence_ClusterCarriesOnAndKeepsState()
    {
        await using var cluster = await RedisCluster.StartAsync(output);

        // State that must outlive the restart: a call waiting in a queue no agent serves, an agent logged in on a break.
        var onBreak = "man-4";
        Assert.True((await cluster.Client.GetGrain<IAgentGrain>(onBreak).LoginAsync("break")).Succeeded);
        var parked = cluster.Client.GetGrain<ICallGrain>($"parked-{Guid.NewGuid():N}");
        await parked.ArriveAsync(new CallArrival { SiteId = "manchester", DialledNumber = "7001" });
        Assert.Equal(EnqueueStatus.Queued, (await parked.EnqueueAsync()).Status);

        var load = await ContactCenterLoad.StartAsync(cluster, TimeSpan.FromSeconds(1), ContactCenterLoad.AllAgents.Where(agent => agent != onBreak).ToList());
        await load.WaitForAnswersAsync(5, "light load before the restart");

        var failedBefore = load.Ledger.FailedRequests;
        var stoppedAt = load.Ledger.Now;
        await cluster.Redis.ShutdownAsync();
        cluster.Log("redis-server shut down (SHUTDOWN, append-only file flushed)");
        // Redis stays away until the cluster notices (a caller's or desk's request fails), as an outage would.
        await Eventually.HoldsAsync(() => Task.FromResult(load.Ledger.FailedRequests > failedBefore), "a request fails while Redis is down", seconds: 60);
        var restartedAt = load.Ledger.Now;
        await cluster.Redis.StartAgainAsync();
        cluster.Log($"redis-server started again on port {cluster.Redis.Port} after {(restartedAt - stoppedAt).TotalSeconds:F1} s down");

        await load.WaitForAnswersOfCallsPlacedSinceAsync(restartedAt, 5, "load after the restart");
        load.ReportRecovery("the Redis restart", restartedAt);
        foreach (var silo in cluster.Silos)
        {
            Assert.False(silo.HasExited, $"silo {silo.Name} exited during the Redis restart:\n{silo.Output}");
            await silo.WaitUntilReadyAsync();
        }

        // Read the state back from Redis, not from memory: the grains holding it are deactivated first.
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(parked.GetGrainId());
        await management.DeactivateGrain(cluster.Client.GetGrain<IAgentGrain>(onBreak).GetGrainId());
        await management.DeactivateGrain(cluster.Client.GetGrain<IQueueGrain>("parked").GetGrainId());
        var parkedNow = await parked.GetAsync();
        Assert.Equal((CallState.Queued, "parked"), (parkedNow.State, parkedNow.QueueId));
        Assert.Contains(parkedNow.CallId, (await cluster.Client.GetGrain<IQueueGrain>("parked").GetStatusAsync()).Waiting.Select(waiting => waiting.CallId));
        var breakNow = await cluster.Client.GetGrain<IAgentGrain>(onBreak).GetStatusAsync();
        Assert.Equal((PresenceState.NotReady, "break"), (breakNow.Presence.State, breakNow.Presence.ReasonCode));

        await load.DrainAndAssertInvariantsAsync();
        Assert.True((await parked.HangUpAsync(CallParty.Caller)).Succeeded);
    }

    private static async Task<SiloProcess> SiloHostingMostAgentsAsync(RedisCluster cluster, SiloProcess? except)
    {
        var hosts = new List<SiloProcess>();
        foreach (var agentId in ContactCenterLoad.AllAgents)
        {
            if (await cluster.SiloHostingAsync(cluster.Client.GetGrain<IAgentGrain>(agentId)) is { } host && host != except)
            {
                hosts.Add(host);
            }
        }

        return hosts.GroupBy(host => host).OrderByDescending(group => group.Count()).Select(group => group.Key).FirstOrDefault()
            ?? cluster.Silos.First(silo => silo != except);
    }

    private static bool CallIsWaiting(CallState state) => state is CallState.Queued or CallState.Offered;

    private static async Task<List<CallSnapshot>> SnapshotsOfLiveCallsAsync(RedisCluster cluster, IEnumerable<string> callIds)
    {
        var snapshots = await Task.WhenAll(callIds.Select(callId => cluster.Client.GetGrain<ICallGrain>(callId).GetAsync()));
        return snapshots.Where(call => CallIsWaiting(call.State) || call.State == CallState.Connected).ToList();
    }
}
