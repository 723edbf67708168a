using CallCenter.Grains.Contracts;
using CallCenter.Model;
using Orleans.Concurrency;

namespace CallCenter.Grains.Grains;

/// <summary>The global routing view: the latest report of every queue, per site. Soft state: queues report about every second.</summary>
[GrainType("routing-view")]
internal sealed class RoutingViewGrain(TimeProvider systemClock) : Grain, IRoutingViewGrain, IRoutingViewReports
{
    private readonly Dictionary<string, IReadOnlyList<QueueSiteStatus>> _queues = new(StringComparer.Ordinal);
    private RoutingViewSnapshot? _snapshot;

    public Task ReportAsync(string queueId, IReadOnlyList<QueueSiteStatus> sites)
    {
        _queues[queueId] = sites;
        _snapshot = null;
        return Task.CompletedTask;
    }

    public Task<RoutingViewSnapshot> GetAsync() => Task.FromResult(_snapshot ??= new RoutingViewSnapshot
    {
        Queues = _queues.OrderBy(pair => pair.Key, StringComparer.Ordinal).SelectMany(pair => pair.Value).ToList(),
        UpdatedAt = systemClock.GetUtcNow(),
    });
}

/// <summary>One activation per silo that keeps the routing view for a second, so readers on every silo rarely leave their silo.</summary>
[StatelessWorker(1), GrainType("routing-view-cache")]
internal sealed class RoutingViewCacheGrain(TimeProvider systemClock) : Grain, IRoutingViewCacheGrain
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    private RoutingViewSnapshot? _cached;
    private DateTimeOffset _fetchedAt;

    public async Task<RoutingViewSnapshot> GetAsync()
    {
        var now = systemClock.GetUtcNow();
        if (_cached is null || now - _fetchedAt >= FreshFor)
        {
            _cached = await GrainFactory.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).GetAsync();
            _fetchedAt = now;
        }

        return _cached;
    }
}
