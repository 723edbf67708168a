using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Placement;

/// <summary>
/// This silo's copy of each agent's site, read from the configuration grain when an agent is not in it yet (a new
/// agent) or the copy is older than a minute (an agent moved site). Concurrent lookups share one read.
/// </summary>
public sealed partial class AgentSiteDirectory(IGrainFactory grains, TimeProvider time, ILogger<AgentSiteDirectory> logger)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private AgentSites _sites = new();
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Task<AgentSites>? _reading;

    /// <summary>The agent's configured site, or null when the configuration does not know the agent or cannot be read.</summary>
    public async Task<string?> SiteOfAsync(string agentId)
    {
        var now = time.GetUtcNow();
        AgentSites sites;
        bool stale;
        lock (_lock)
        {
            sites = _sites;
            stale = now - _readAt > MaxAge;
        }

        if (sites.SiteByAgent.TryGetValue(agentId, out var site) && !stale)
        {
            return site;
        }

        // An unknown agent re-reads at most once a second, so ids that are not configured cannot flood the configuration grain.
        if (!stale && now - _readAt < MinRefreshInterval)
        {
            return null;
        }

        try
        {
            sites = await ReadAsync();
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException)
        {
            LogReadFailed(logger, exception);
            return site;
        }

        return sites.SiteByAgent.GetValueOrDefault(agentId);
    }

    private Task<AgentSites> ReadAsync()
    {
        lock (_lock)
        {
            return _reading ??= ReadOnceAsync();
        }
    }

    private async Task<AgentSites> ReadOnceAsync()
    {
        // Never completes inline, so the caller's lock has stored this task before the finally below clears it.
        await Task.Yield();
        try
        {
            var sites = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAgentSitesAsync().WaitAsync(ReadTimeout);
            lock (_lock)
            {
                _sites = sites;
                _readAt = time.GetUtcNow();
            }

            return sites;
        }
        finally
        {
            lock (_lock)
            {
                _reading = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read agents' sites from the configuration; placing agent grains without their site meanwhile")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
