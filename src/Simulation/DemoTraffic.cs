using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.Simulation;

/// <summary>
/// The demo switch (<c>CallCenter:Demo:Enabled=true</c> or <c>--demo</c>): logs in every configured agent behind a simulated
/// desk and sends simulated callers to every entry point, some of whom give up waiting, so the numbers move.
/// </summary>
internal sealed partial class DemoTraffic(IGrainFactory grains, IConfiguration configuration, TimeProvider clock, ILogger<DemoTraffic> logger) : BackgroundService
{
    private readonly Random _random = new();
    private readonly List<(SimulatedAgentDesk Desk, IAgentObserver Reference)> _desks = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var callsPerMinute = configuration.GetValue("CallCenter:Demo:CallsPerMinute", 40.0);
        var config = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
        foreach (var agent in config.Agents)
        {
            var desk = new SimulatedAgentDesk(grains, agent.Id, () => Seconds(1, 4), _ => Seconds(15, 60));
            var reference = grains.CreateObjectReference<IAgentObserver>(desk);
            _desks.Add((desk, reference));
            var agentGrain = grains.GetGrain<IAgentGrain>(agent.Id);
            await agentGrain.SubscribeAsync(reference);
            await agentGrain.LoginAsync();
        }

        LogStarted(_desks.Count, callsPerMinute);
        var lastSubscribe = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested && config.EntryPoints.Count > 0)
        {
            // Poisson arrivals: exponential gaps between callers.
            var gap = -Math.Log(1 - _random.NextDouble()) * 60 / callsPerMinute;
            await Task.Delay(TimeSpan.FromSeconds(gap), clock, stoppingToken);
            var entry = config.EntryPoints[_random.Next(config.EntryPoints.Count)];
            var site = config.Sites[_random.Next(config.Sites.Count)];
            _ = CallerAsync(CallIds.New(site.Id), entry, site.Id, stoppingToken);
            if (clock.GetUtcNow() - lastSubscribe > TimeSpan.FromMinutes(2))
            {
                lastSubscribe = clock.GetUtcNow();
                foreach (var (desk, reference) in _desks)
                {
                    await grains.GetGrain<IAgentGrain>(desk.AgentId).SubscribeAsync(reference);
                }
            }
        }
    }

    private async Task CallerAsync(string callId, EntryPoint entry, string siteId, CancellationToken stoppingToken)
    {
        try
        {
            var call = grains.GetGrain<ICallGrain>(callId);
            await call.ArriveAsync(new CallArrival
            {
                SiteId = siteId,
                TenantId = entry.TenantId,
                DialledNumber = entry.DialledNumber,
                CallerNumber = $"+4420{_random.Next(1000000, 9999999)}",
            });
            await call.EnqueueAsync();
            await Task.Delay(Seconds(20, 180), clock, stoppingToken);
            var snapshot = await call.GetAsync();
            if (snapshot.State is CallState.Queued or CallState.Offered)
            {
                await call.HangUpAsync(CallParty.Caller);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException or OrleansException)
        {
        }
    }

    private TimeSpan Seconds(double min, double max) => TimeSpan.FromSeconds(min + (_random.NextDouble() * (max - min)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo traffic: {Agents} simulated agents logged in, about {CallsPerMinute} callers a minute")]
    private partial void LogStarted(int agents, double callsPerMinute);
}
