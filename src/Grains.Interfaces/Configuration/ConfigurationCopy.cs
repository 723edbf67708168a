using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// A process's local copy of what it needs from the contact-center configuration (an index: entry points, agents'
/// sites, the edge's view), refreshed by the configuration's version: a refresh asks the configuration grain for its
/// version and reads the whole configuration only when it changed. Concurrent refreshes share one. A refresh that fails
/// (the grain's silo frozen or lost) throws and leaves the copy as it was, for the caller to answer from.
/// Used by the silos' <c>EntryPointDirectory</c> and <c>AgentSiteDirectory</c> and the SIP edge's <c>EdgeConfiguration</c>.
/// </summary>
public sealed class ConfigurationCopy<T>(IGrainFactory grains, Func<ContactCenterConfiguration, T> index, TimeProvider? time = null)
    where T : class
{
    private readonly Lock _gate = new();
    private volatile Copy? _current;
    private Task<T>? _refreshing;

    /// <summary>How long each call to the configuration grain may take, measured by the copy's <see cref="TimeProvider"/>; no limit without one.</summary>
    public TimeSpan GrainTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Where the first copy comes from when the grain does not answer within <see cref="GrainTimeout"/> (on a silo: the
    /// configuration grain's stored state), so a process that never read the configuration does not wait on its silo.
    /// </summary>
    public Func<Task<ContactCenterConfiguration>>? ReadWithoutTheGrain { get; init; }

    /// <summary>The copy; null before the first refresh succeeded.</summary>
    public T? Current => _current?.Value;

    /// <summary>The configuration version of the copy; -1 before the first refresh succeeded.</summary>
    public long Version => _current?.Version ?? -1;

    /// <summary>The copy after reloading it if the configuration's version changed; concurrent callers share one refresh.</summary>
    public Task<T> RefreshAsync()
    {
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false } running)
            {
                return running;
            }

            return _refreshing = RefreshOnceAsync();
        }
    }

    private async Task<T> RefreshOnceAsync()
    {
        var grain = grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        if (_current is { } current)
        {
            var version = await BoundedAsync(grain.GetVersionAsync());
            if (version == current.Version)
            {
                return current.Value;
            }
        }

        ContactCenterConfiguration configuration;
        try
        {
            configuration = await BoundedAsync(grain.GetAsync());
        }
        catch (Exception exception) when (_current is null && ReadWithoutTheGrain is not null && GrainCallFaults.IsTransient(exception))
        {
            configuration = await ReadWithoutTheGrain();
        }

        var copy = new Copy(configuration.Version, index(configuration));
        _current = copy;
        return copy.Value;
    }

    private Task<TResult> BoundedAsync<TResult>(Task<TResult> call) => time is null ? call : call.WaitAsync(GrainTimeout, time);

    private sealed record Copy(long Version, T Value);
}
