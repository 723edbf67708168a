using CallCenter.Grains.Configuration;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Placement;

/// <summary>
/// This silo's copy of each agent's site (a <see cref="ConfigurationCopy{T}"/>), refreshed when an agent is not in it
/// yet (a new agent) or the copy was last checked more than a minute ago (an agent moved site): a refresh asks the
/// configuration's version and reads it only when it changed. Concurrent lookups share one refresh. A silo with no copy
/// yet whose configuration grain does not answer within 5 s reads the grain's stored state.
/// </summary>
public sealed partial class AgentSiteDirectory
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly ConfigurationCopy<Dictionary<string, string>> _copy;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentSiteDirectory> _logger;
    private long _checkedAtTicks = DateTimeOffset.MinValue.UtcTicks;

    public AgentSiteDirectory(IGrainFactory grains, TimeProvider time, StoredConfiguration stored, ILogger<AgentSiteDirectory> logger)
    {
        _time = time;
        _logger = logger;
        _copy = new ConfigurationCopy<Dictionary<string, string>>(grains, SiteByAgent, time)
        {
            GrainTimeout = ReadTimeout,
            ReadWithoutTheGrain = stored.ReadAsync,
        };
    }

    private DateTimeOffset CheckedAt => new(Interlocked.Read(ref _checkedAtTicks), TimeSpan.Zero);

    /// <summary>The agent's configured site, or null when the configuration does not know the agent or cannot be read.</summary>
    public async Task<string?> SiteOfAsync(string agentId)
    {
        var now = _time.GetUtcNow();
        var checkedAt = CheckedAt;
        var stale = now - checkedAt > MaxAge;
        string? site = null;
        if (_copy.Current is { } sites && sites.TryGetValue(agentId, out site) && !stale)
        {
            return site;
        }

        // An unknown agent re-reads at most once a second, so ids that are not configured cannot flood the configuration grain.
        if (!stale && now - checkedAt < MinRefreshInterval)
        {
            return null;
        }

        try
        {
            sites = await _copy.RefreshAsync();
            Interlocked.Exchange(ref _checkedAtTicks, _time.GetUtcNow().UtcTicks);
        }
        catch (Exception exception) when (GrainCallFaults.IsTransient(exception))
        {
            LogReadFailed(exception);
            return site;
        }

        return sites.GetValueOrDefault(agentId);
    }

    private static Dictionary<string, string> SiteByAgent(ContactCenterConfiguration configuration) =>
        configuration.Agents.DistinctBy(agent => agent.Id).ToDictionary(agent => agent.Id, agent => agent.SiteId, StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read agents' sites from the configuration; placing agent grains without their site meanwhile")]
    private partial void LogReadFailed(Exception exception);
}
