using CallCenter.Domain.Configuration;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("callcenter.configuration-grain-state")]
public sealed class ConfigurationGrainState
{
    [Id(0)] public ContactCenterConfiguration Configuration { get; set; } = new();
}

/// <summary>
/// Holds the configuration. A change is validated whole and written before any queue or agent hears of it,
/// so an invalid change applies nothing, and a push interrupted by a failure is completed by the next apply.
/// </summary>
[GrainType("configuration")]
internal sealed class ConfigurationGrain(
    [PersistentState(ConfigurationGrain.StateName, StorageNames.State)] IPersistentState<ConfigurationGrainState> state) : Grain, IConfigurationGrain
{
    /// <summary>The name of its state in grain storage, where a silo reads it directly when the grain does not answer (<c>EntryPointDirectory</c>).</summary>
    public const string StateName = "configuration";

    /// <summary>The grain's id (the one configuration of the cluster).</summary>
    public static readonly GrainId Id = GrainId.Create("configuration", GrainKeys.Configuration);

    private const int PushBatch = 256;

    private Dictionary<string, EntryPoint> _entryPoints = [];
    private AgentSites _agentSites = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        IndexConfiguration();
        return Task.CompletedTask;
    }

    public Task<ContactCenterConfiguration> GetAsync() => Task.FromResult(state.State.Configuration);

    public Task<long> GetVersionAsync() => Task.FromResult(state.State.Configuration.Version);

    public async Task<ApplyResult> ApplyAsync(ContactCenterConfiguration configuration)
    {
        var errors = ConfigurationValidator.Validate(configuration);
        if (errors.Count > 0)
        {
            return new ApplyResult { Errors = errors, Version = state.State.Configuration.Version };
        }

        var previous = state.State.Configuration;
        var next = configuration with { Version = previous.Version + 1 };
        state.State.Configuration = next;
        await state.WriteStateAsync();
        IndexConfiguration();
        await PushAsync(previous, next);
        return new ApplyResult { Version = next.Version };
    }

    public Task<ApplyResult> SeedAsync(ContactCenterConfiguration configuration) =>
        state.State.Configuration.Version > 0
            ? Task.FromResult(new ApplyResult { Version = state.State.Configuration.Version })
            : ApplyAsync(configuration);

    public Task<EntryPoint?> FindEntryPointAsync(string dialledNumber) =>
        Task.FromResult(_entryPoints.GetValueOrDefault(dialledNumber));

    public Task<AgentSites> GetAgentSitesAsync() => Task.FromResult(_agentSites);

    private async Task PushAsync(ContactCenterConfiguration previous, ContactCenterConfiguration next)
    {
        // Queues first, so agents announcing themselves find their queues configured.
        await InBatchesAsync(next.Queues, queue => GrainFactory.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue));
        var reasonCodes = next.ReasonCodes.Concat(ReasonCodes.BuiltIn).Distinct().ToList();
        await InBatchesAsync(next.Agents, agent => GrainFactory.GetGrain<IAgentGrain>(agent.Id).ConfigureAsync(new AgentConfiguration
        {
            Definition = agent,
            CandidateQueueIds = QueueMembership.CandidateQueues(agent, next.Queues),
            ReasonCodes = reasonCodes,
        }));
        var removedAgents = previous.Agents.Select(a => a.Id).Except(next.Agents.Select(a => a.Id)).ToList();
        await InBatchesAsync(removedAgents, id => GrainFactory.GetGrain<IAgentGrain>(id).RemoveAsync());
    }

    private static async Task InBatchesAsync<T>(IEnumerable<T> items, Func<T, Task> push)
    {
        foreach (var batch in items.Chunk(PushBatch))
        {
            await Task.WhenAll(batch.Select(push));
        }
    }

    private void IndexConfiguration()
    {
        var configuration = state.State.Configuration;
        _entryPoints = configuration.EntryPoints.ToDictionary(entry => entry.DialledNumber, StringComparer.Ordinal);
        _agentSites = new AgentSites
        {
            Version = configuration.Version,
            SiteByAgent = configuration.Agents.ToDictionary(agent => agent.Id, agent => agent.SiteId, StringComparer.Ordinal),
        };
    }
}
