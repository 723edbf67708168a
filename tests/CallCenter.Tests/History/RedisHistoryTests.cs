using CallCenter.Domain.History;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Persistence;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CallCenter.Tests.History;

/// <summary>Call records in a real Redis stream, written through silos started by the production hosting code.</summary>
public sealed class RedisHistoryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Records_OutliveTheWholeCluster()
    {
        var clusterId = $"history-{Guid.NewGuid():N}";
        var queueId = $"q-{Guid.NewGuid():N}";
        var callIds = Enumerable.Range(0, 5).Select(i => $"{queueId}-call{i}").ToList();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using (var first = await RedisSilo.StartAsync(redis, clusterId))
        {
            Assert.IsType<RedisCallHistory>(first.Host.Services.GetRequiredService<ICallHistory>());
            await first.Grains.GetGrain<IQueueGrain>(queueId).ConfigureAsync(new QueueDefinition { Id = queueId, Name = "Q", TenantId = "acme" });
            foreach (var callId in callIds)
            {
                var call = first.Grains.GetGrain<ICallGrain>(callId);
                await call.ArriveAsync(new CallArrival { SiteId = "north", TenantId = "acme" });
                await call.EnqueueAsync(queueId);
                await call.HangUpAsync(CallParty.Caller);
            }
        }

        await using var second = await RedisSilo.StartAsync(redis, clusterId);
        var history = second.Host.Services.GetRequiredService<ICallHistory>();
        var records = await history.QueryAsync(new CallQuery { From = since, To = DateTimeOffset.UtcNow.AddMinutes(1), QueueId = queueId });

        Assert.Equal(callIds, records.Select(r => r.CallId).Order());
        Assert.All(records, r => Assert.Equal(CallOutcome.Abandoned, r.Outcome));
        Assert.All(records, r => Assert.Equal("acme", r.TenantId));
        Assert.All(records, r => Assert.Contains(r.Timeline, e => e.Kind == CallEventKind.Queued));
    }

    [Fact]
    public async Task Stream_IsCapped_AndRepeatedRevisionsReadAsOneCall()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = $"callcenter:test-{Guid.NewGuid():N}:history";
        await using var history = new RedisCallHistory(ConfigurationOptions.Parse(redis.ConnectionString), key, maxLength: 50);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 300; i++)
        {
            await history.AppendAsync(new CallRecord { CallId = $"c{i % 150}", Revision = 1 + (i / 150), QueueId = "q", SiteId = "north", ArrivedAt = at, EndedAt = at });
        }

        var length = await connection.GetDatabase().StreamLengthAsync(key);
        var records = await history.QueryAsync(new CallQuery { From = at.AddSeconds(-1), To = at.AddSeconds(1) });

        Assert.InRange(length, 50, 300 - 1); // MAXLEN ~ trims whole nodes: at least the cap, fewer than everything
        Assert.Equal(records.Count, records.Select(r => r.CallId).Distinct().Count());
        Assert.All(records, r => Assert.Equal(2, r.Revision));
    }

    [Fact]
    public async Task AgentStateSpans_GoToTheirOwnCappedStream_AndReadBackByOverlap()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var serviceId = $"test-{Guid.NewGuid():N}";
        await using var history = new RedisCallHistory(
            ConfigurationOptions.Parse(redis.ConnectionString), RedisCallHistory.KeyFor(serviceId), maxLength: 50, RedisCallHistory.SpanKeyFor(serviceId), spanMaxLength: 50);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 300; i++)
        {
            await history.AppendSpanAsync(new AgentStateSpan { AgentId = $"a{i}", SiteId = "north", State = PresenceState.Busy, From = at.AddMinutes(-1), To = at });
        }

        await history.AppendSpanAsync(new AgentStateSpan { AgentId = "b", SiteId = "south", State = PresenceState.Available, From = at.AddMinutes(-1), To = at });

        var database = connection.GetDatabase();
        Assert.Equal($"callcenter:{serviceId}:agent-states", history.SpanStreamKey.ToString());
        Assert.InRange(await database.StreamLengthAsync(history.SpanStreamKey), 50, 300);
        Assert.Equal(0, await database.StreamLengthAsync(history.StreamKey)); // call records' stream untouched
        var south = Assert.Single(await history.QuerySpansAsync(new AgentStateQuery { From = at.AddSeconds(-30), To = at.AddSeconds(30), SiteId = "south" }));
        Assert.Equal(PresenceState.Available, south.State);
        Assert.Equal(at.AddMinutes(-1), south.From);
        Assert.Empty(await history.QuerySpansAsync(new AgentStateQuery { From = at, To = at.AddMinutes(1), SiteId = "south" })); // ended at From: no overlap
    }
}
