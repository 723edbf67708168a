using System.Globalization;
using CallCenter.Grains;
using CallCenter.TestKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// A contact center as docs/operations.md deploys it, on one machine: a redis-server with append-only persistence, three
/// silo processes (two labelled London, one Manchester) clustering through it, and an Orleans client in the test process
/// that the simulated callers and agent desks use. Each test starts its own and disposes it.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    public const string ServiceId = "callcenter-cluster-tests";

    /// <summary>The shutdown timeout the silos get, as HostOptions__ShutdownTimeout sets it in Kubernetes (k8s/base/configmap.yaml).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly ITestOutputHelper _output;
    private IHost? _client;

    private RedisCluster(RedisServer redis, string directory, ITestOutputHelper output, int edgeLeaseSeconds)
    {
        Redis = redis;
        EdgeLease = TimeSpan.FromSeconds(edgeLeaseSeconds);
        _directory = directory;
        _output = output;
    }

    public RedisServer Redis { get; }

    /// <summary>The edge lease the silos run with (<c>CallCenter__Calls__EdgeLeaseSeconds</c>).</summary>
    public TimeSpan EdgeLease { get; }

    public string ClusterId { get; } = $"failover-{Guid.NewGuid():N}";

    public List<SiloProcess> Silos { get; } = [];

    public IClusterClient Client => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("the client is not connected");

    /// <summary>Starts Redis and the three silos, with an edge lease of <paramref name="edgeLeaseSeconds"/>.</summary>
    public static async Task<RedisCluster> StartAsync(ITestOutputHelper output, int edgeLeaseSeconds = EdgeLeaseSeconds)
    {
        // Append-only persistence, as production runs it (docs/operations.md): the Redis restart test relies on it.
        var redis = await RedisServer.StartAsync(appendOnly: true);
        var cluster = new RedisCluster(redis, Directory.CreateTempSubdirectory("callcenter-cluster-").FullName, output, edgeLeaseSeconds);
        try
        {
            cluster.Silos.Add(cluster.StartSilo("london-1", "london"));
            cluster.Silos.Add(cluster.StartSilo("london-2", "london"));
            cluster.Silos.Add(cluster.StartSilo("manchester-1", "manchester"));
            foreach (var silo in cluster.Silos)
            {
                await silo.WaitUntilReadyAsync();
            }

            await cluster.ConnectClientAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Where the queue's grain is active now (its silo), or null if nowhere.</summary>
    public async Task<SiloProcess?> SiloHostingAsync(IAddressable grain)
    {
        var address = await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address is null ? null : Silos.SingleOrDefault(silo => silo.SiloPort == address.Endpoint.Port);
    }

    /// <summary>How many silos the membership table lists as active.</summary>
    public async Task<int> ActiveSiloCountAsync() => (await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;

    /// <summary>Logs a line to the test's output and to the console (the runner shows the latter with --logger console).</summary>
    public void Log(string line)
    {
        var stamped = $"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}";
        _output.WriteLine(stamped);
        Console.WriteLine(stamped);
    }

    /// <summary>The end of every silo's output, for a failure message.</summary>
    public string SiloOutput() => string.Join("\n", Silos.Select(silo => $"--- silo {silo.Name} (exited: {silo.HasExited}), last lines:\n{silo.Output[Math.Max(0, silo.Output.Length - 4000)..]}"));

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _client.StopAsync(stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or OrleansException or TimeoutException)
            {
            }

            _client.Dispose();
        }

        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        await Redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private SiloProcess StartSilo(string name, string siteId) => SiloProcess.Start(new SiloProcessOptions
    {
        Name = name,
        SiteId = siteId,
        // A request to a silo that just died fails fast; start-up of three silos on two cores takes a while.
        HttpTimeout = TimeSpan.FromSeconds(10),
        ReadyTimeout = TimeSpan.FromSeconds(90),
        Environment = Settings(name),
    });

    /// <summary>One key for every silo of the cluster, as an operator sets it.</summary>
    private static readonly string TokenSigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private Dictionary<string, string> Settings(string name) => new()
    {
        ["CallCenter__Sip__Enabled"] = "false",
        ["Orleans__Clustering__ProviderType"] = "Redis",
        ["Orleans__Clustering__ConnectionString"] = Redis.ConnectionString,
        ["Orleans__ClusterId"] = ClusterId,
        ["Orleans__ServiceId"] = ServiceId,
        ["CallCenter__Gateway__TokenSigningKey"] = TokenSigningKey,
        ["CallCenter__ConfigurationFile"] = Path.Combine(AppContext.BaseDirectory, "failover-callcenter.json"),
        ["CallCenter__Gateway__AuditLogPath"] = Path.Combine(_directory, $"audit-{name}.log"),
        ["CallCenter__Telemetry__Dashboard"] = "false",
        ["HostOptions__ShutdownTimeout"] = ShutdownTimeout.ToString("c", CultureInfo.InvariantCulture),
        // A killed silo is declared dead after a few missed one-second probes instead of Orleans' default (about 15 s
        // to suspect, then the votes): the test measures recovery, not the probe schedule.
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        // A call whose edge is silent for this long is ended as lost with it (60 s in production): edge loss is judged in seconds.
        ["CallCenter__Calls__EdgeLeaseSeconds"] = EdgeLease.TotalSeconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The shortened edge lease the silos run with, unless a test asks for another.</summary>
    public const int EdgeLeaseSeconds = 3;

    private async Task ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Clustering:ProviderType"] = "Redis",
            ["Orleans:Clustering:ConnectionString"] = Redis.ConnectionString,
            ["Orleans:ClusterId"] = ClusterId,
            ["Orleans:ServiceId"] = ServiceId,
        });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .Configure<ClientMessagingOptions>(options =>
                // A request to a silo that just died fails after this instead of Orleans' 30 s, and the desk or caller retries.
                options.ResponseTimeout = TimeSpan.FromSeconds(10))
            .Configure<GatewayOptions>(options =>
                // A frozen silo's gateway holds the requests of the grains mapped to it until the list is read again.
                options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2)));
        _client = builder.Build();
        await _client.StartAsync();
        await Eventually.HoldsAsync(async () => (await Client.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync()).Agents.Count > 0, "the client reads the seeded configuration");
    }
}
