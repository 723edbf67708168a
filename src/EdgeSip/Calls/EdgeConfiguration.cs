using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The contact-center configuration as the edge reads it: entry points (which decide a call's tenant and IVR flow),
/// IVR flows, queues and agents. Kept from the configuration grain and reloaded when its version changes, so a
/// change reaches new calls without a restart, and calls keep being served from the last copy while the grain's
/// silo is away (a <see cref="ConfigurationCopy{T}"/>, as the silos keep theirs).
/// </summary>
internal sealed partial class EdgeConfiguration(IGrainFactory grains, ILogger logger)
{
    private readonly ConfigurationCopy<Index> _copy = new(grains, configuration => new Index(configuration));

    private Index? Current => _copy.Current;

    /// <summary>Whether a configuration was ever loaded (without one the edge cannot tell a number of ours from a wrong one).</summary>
    public bool Loaded => Current is not null;

    /// <summary>The version loaded; -1 before the first load.</summary>
    public long Version => _copy.Version;

    public EntryPoint? FindEntryPoint(string dialledNumber) => Current?.EntryPoints.GetValueOrDefault(dialledNumber);

    /// <summary>The entry point's IVR flow; null when it has none (or it vanished meanwhile: the caller goes straight to the queue).</summary>
    public IvrFlow? FlowOf(EntryPoint entry) => entry.IvrFlowId is { } id ? Current?.Flows.GetValueOrDefault(id) : null;

    public QueueDefinition? FindQueue(string queueId) => Current?.Queues.GetValueOrDefault(queueId);

    public bool IsQueue(string id) => Current?.Queues.ContainsKey(id) == true;

    public bool IsAgent(string id) => Current?.AgentIds.Contains(id) == true;

    /// <summary>Reloads the configuration if its version changed; concurrent callers share one reload.</summary>
    public async Task RefreshAsync()
    {
        var before = _copy.Version;
        try
        {
            var index = await _copy.RefreshAsync();
            if (index.Configuration.Version != before)
            {
                LogLoaded(index.Configuration.Version, index.EntryPoints.Count, index.Flows.Count);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The grain's silo may be away: calls go on with the copy the edge has.
            LogRefreshFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP edge loaded configuration version {Version}: {EntryPoints} entry points, {Flows} IVR flows")]
    private partial void LogLoaded(long version, int entryPoints, int flows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP edge could not refresh the contact-center configuration; it keeps the copy it has")]
    private partial void LogRefreshFailed(Exception exception);

    private sealed class Index(ContactCenterConfiguration configuration)
    {
        public ContactCenterConfiguration Configuration => configuration;

        public Dictionary<string, EntryPoint> EntryPoints { get; } = configuration.EntryPoints.ToDictionary(e => e.DialledNumber, StringComparer.Ordinal);

        public Dictionary<string, IvrFlow> Flows { get; } = configuration.IvrFlows.ToDictionary(f => f.Id, StringComparer.Ordinal);

        public Dictionary<string, QueueDefinition> Queues { get; } = configuration.Queues.ToDictionary(q => q.Id, StringComparer.Ordinal);

        public HashSet<string> AgentIds { get; } = configuration.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
    }
}
