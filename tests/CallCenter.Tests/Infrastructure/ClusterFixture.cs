using CallCenter.Domain;
using CallCenter.Domain.History;
using CallCenter.Grains;
using CallCenter.Grains.Hosting;
using CallCenter.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// A two-silo in-process cluster with in-process memory storage and one fake contact-center clock shared by every silo.
/// Tests share it through a collection and use fresh grain keys (see <see cref="Scenario"/>).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Grain state shared by every silo of the cluster, so it outlives a stopped silo as it would in Redis.</summary>
    public MemoryStateStore State { get; } = new();

    /// <summary>Call history shared by every silo (as Redis would be), which a test can make fail for a while.</summary>
    public FlakyCallHistory History { get; } = new();

    /// <summary>Makes the configuration grain stop answering for a while (a frozen silo).</summary>
    public ConfigurationFreeze ConfigurationFreeze { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, Clock);
            silo.Services.AddSingleton<ICallHistory>(History);
            silo.AddCallCenterGrains();
            silo.AddCallCenterMemoryStorage(State);
            silo.AddIncomingGrainCallFilter(ConfigurationFreeze);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
