using System.Net;
using System.Net.Sockets;
using CallCenter.EdgeSip;
using CallCenter.EdgeSip.Hosting;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Simulation;
using CallCenter.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.Bench;

/// <summary>The embedded default silo (localhost clustering, memory storage) in this process, with simulated agent desks.</summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Starts the silo. With <paramref name="sipEdge"/> settings (keys of the <c>CallCenter:Sip</c> section) the silo
    /// co-hosts the SIP edge as src/Silo/Program.cs does (<see cref="SipEdgeServiceCollectionExtensions.AddSipEdge"/>),
    /// logging to <paramref name="logger"/> when given.
    /// </summary>
    public static async Task<BenchSilo> StartAsync(IReadOnlyDictionary<string, string?>? sipEdge = null, ILoggerProvider? logger = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CallCenter:SiloPort"] = FreePort().ToString(),
            ["CallCenter:GatewayPort"] = FreePort().ToString(),
            [$"{SipEdgeOptions.Section}:Enabled"] = sipEdge is null ? "false" : "true",
        });
        if (sipEdge is not null)
        {
            builder.Configuration.AddInMemoryCollection(sipEdge.Select(pair => KeyValuePair.Create($"{SipEdgeOptions.Section}:{pair.Key}", pair.Value)));
        }

        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(builder.Configuration));
        builder.Services.AddSipEdge(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host);
    }

    public async Task<QueueDefinition> QueueAsync(string id, double wrapUpSeconds = 0)
    {
        var queue = new QueueDefinition
        {
            Id = id,
            Name = id,
            WrapUpSeconds = wrapUpSeconds,
            AcceptTimeoutSeconds = 30,
            MaxQueueLength = 1_000_000,
            Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
        };
        await Grains.GetGrain<IQueueGrain>(id).ConfigureAsync(queue);
        return queue;
    }

    /// <summary>
    /// Configures and logs in <paramref name="count"/> agents, each behind a desk built by <paramref name="desk"/>.
    /// The caller must keep the returned desks referenced: Orleans holds observers weakly.
    /// </summary>
    public async Task<List<SimulatedAgentDesk>> AgentsAsync(int count, string queueId, Func<string, SimulatedAgentDesk> desk)
    {
        var desks = new List<SimulatedAgentDesk>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{queueId}-agent{i}";
            var agent = Grains.GetGrain<IAgentGrain>(id);
            await agent.ConfigureAsync(new AgentConfiguration
            {
                Definition = new AgentDefinition { Id = id, Name = id, SiteId = "bench" },
                CandidateQueueIds = [queueId],
            });
            var simulated = desk(id);
            await agent.SubscribeAsync(Grains.CreateObjectReference<IAgentObserver>(simulated));
            desks.Add(simulated);
        }

        await Task.WhenAll(desks.Select(d => Grains.GetGrain<IAgentGrain>(d.AgentId).LoginAsync()));
        return desks;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
