using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using CommandStatus = CallCenter.Model.CommandStatus;

namespace CallCenter.Tests.Grains;

/// <summary>
/// Membership and grain state in a real Redis, with silos started by the production hosting code: waiting calls survive
/// a stopped silo and a whole new cluster.
/// </summary>
public sealed class RedisClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Membership_IsWrittenToRedis()
    {
        var clusterId = $"members-{Guid.NewGuid():N}";
        await using var first = await RedisSilo.StartAsync(redis, clusterId);
        await using var second = await RedisSilo.StartAsync(redis, clusterId);

        var hosts = await first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = connection.GetServer("127.0.0.1", redis.Port).Keys(pattern: $"*{clusterId}*").ToList();

        Assert.Equal(2, hosts.Count);
        Assert.NotEmpty(keys);
    }

    [Fact]
    public async Task EdgeCall_KeepsItsLeaseReminderInRedis_UntilItEnds()
    {
        var clusterId = $"reminders-{Guid.NewGuid():N}";
        await using var silo = await RedisSilo.StartAsync(redis, clusterId);
        var table = silo.Host.Services.GetRequiredService<IReminderTable>();
        var call = silo.Grains.GetGrain<ICallGrain>(CallIds.New("north"));

        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });

        Assert.IsNotType<CallCenter.Grains.Persistence.MemoryReminderTable>(table);
        Assert.NotNull(await table.ReadRow(call.GetGrainId(), CallCenter.Grains.Grains.CallGrain.EdgeLeaseReminderName));
        Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Caller)).Status);
        Assert.Null(await table.ReadRow(call.GetGrainId(), CallCenter.Grains.Grains.CallGrain.EdgeLeaseReminderName));
    }

    [Fact]
    public async Task WaitingCalls_SurviveAStoppedSilo_AndAreThenAnswered()
    {
        var clusterId = $"stop-{Guid.NewGuid():N}";
        var silos = new[] { await RedisSilo.StartAsync(redis, clusterId), await RedisSilo.StartAsync(redis, clusterId) };
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var queueId = $"{prefix}-q";
        var grains = silos[0].Grains;
        await grains.GetGrain<IQueueGrain>(queueId).ConfigureAsync(new QueueDefinition { Id = queueId, Name = "Q", WrapUpSeconds = 0, Stages = [new() { AfterSeconds = 0, Scope = StageScope.AnySite }] });
        var callIds = Enumerable.Range(0, 12).Select(i => $"{prefix}-call{i}").ToList();
        foreach (var callId in callIds)
        {
            var call = grains.GetGrain<ICallGrain>(callId);
            await call.ArriveAsync(new CallArrival { SiteId = "north" });
            Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync(queueId)).Status);
        }

        // Stop the silo that hosts the queue, while every call waits; keep working through the other one.
        var queueSilo = (await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IQueueGrain>(queueId)))!;
        var doomed = silos.Single(silo => silo.Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Equals(queueSilo));
        var survivor = silos.Single(silo => silo != doomed);
        await doomed.DisposeAsync();
        grains = survivor.Grains;

        Assert.Equal(12, (await grains.GetGrain<IQueueGrain>(queueId).GetStatusAsync()).Waiting.Count);
        var agentId = $"{prefix}-agent";
        var agent = grains.GetGrain<IAgentGrain>(agentId);
        await agent.ConfigureAsync(new AgentConfiguration { Definition = new AgentDefinition { Id = agentId, Name = "A", SiteId = "north" }, CandidateQueueIds = [queueId] });
        var probe = new AgentProbe(agentId);
        await agent.SubscribeAsync(grains.CreateObjectReference<IAgentObserver>(probe));
        await agent.LoginAsync();
        for (var answered = 0; answered < callIds.Count; answered++)
        {
            var offer = await probe.NextOfferAsync($"offer {answered + 1} of {callIds.Count} after the silo stopped");
            var call = grains.GetGrain<ICallGrain>(offer.CallId);
            Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agentId, offer.Epoch)).Status);
            await call.HangUpAsync(CallParty.Agent);
        }

        var outcomes = await Task.WhenAll(callIds.Select(id => grains.GetGrain<ICallGrain>(id).GetAsync()));
        Assert.All(outcomes, snapshot => Assert.Equal(CallOutcome.Answered, snapshot.Outcome));
        await survivor.DisposeAsync();
    }

    [Fact]
    public async Task GrainState_OutlivesTheWholeCluster()
    {
        var clusterId = $"restart-{Guid.NewGuid():N}";
        var queueId = $"q-{Guid.NewGuid():N}";
        await using (var first = await RedisSilo.StartAsync(redis, clusterId))
        {
            await first.Grains.GetGrain<IQueueGrain>(queueId).ConfigureAsync(new QueueDefinition { Id = queueId, Name = "Q" });
            var call = first.Grains.GetGrain<ICallGrain>($"{queueId}-call");
            await call.ArriveAsync(new CallArrival { SiteId = "north" });
            await call.EnqueueAsync(queueId);
        }

        await using var second = await RedisSilo.StartAsync(redis, clusterId);
        var status = await second.Grains.GetGrain<IQueueGrain>(queueId).GetStatusAsync();

        Assert.Equal($"{queueId}-call", Assert.Single(status.Waiting).CallId);
        Assert.Equal(CallState.Queued, (await second.Grains.GetGrain<ICallGrain>($"{queueId}-call").GetAsync()).State);
    }
}
