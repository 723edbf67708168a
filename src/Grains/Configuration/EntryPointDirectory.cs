using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Configuration;

/// <summary>
/// This silo's copy of the entry points, for calls being queued. Each lookup asks the configuration grain for its
/// version (one small call, as the lookup itself was before): unchanged, the copy answers; changed, the new
/// configuration is read. When the grain does not answer within <see cref="VersionTimeout"/> (its silo frozen or lost
/// and not yet declared dead) the copy answers, so new calls keep being queued instead of waiting on one silo.
/// </summary>
public sealed partial class EntryPointDirectory(IGrainFactory grains, TimeProvider time, ILogger<EntryPointDirectory> logger)
{
    public static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(1);

    private volatile EntryPoints? _copy;

    /// <summary>The entry point of <paramref name="dialledNumber"/>, or null when the configuration has none.</summary>
    public async Task<EntryPoint?> FindAsync(string dialledNumber)
    {
        var configuration = grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        var copy = _copy;
        if (copy is null)
        {
            copy = await ReadAsync(configuration);
        }
        else
        {
            long version;
            try
            {
                version = await configuration.GetVersionAsync().WaitAsync(VersionTimeout, time);
            }
            catch (Exception exception) when (GrainCallFaults.IsTransient(exception))
            {
                LogAnsweredFromCopy(copy.Version, exception.GetType().Name);
                return copy.Find(dialledNumber);
            }

            if (version != copy.Version)
            {
                copy = await ReadAsync(configuration);
            }
        }

        return copy.Find(dialledNumber);
    }

    private async Task<EntryPoints> ReadAsync(IConfigurationGrain configuration)
    {
        var read = await configuration.GetAsync();
        var copy = new EntryPoints(read.Version, read.EntryPoints.DistinctBy(entry => entry.DialledNumber).ToDictionary(entry => entry.DialledNumber, StringComparer.Ordinal));
        _copy = copy;
        return copy;
    }

    private sealed record EntryPoints(long Version, Dictionary<string, EntryPoint> ByNumber)
    {
        public EntryPoint? Find(string dialledNumber) => ByNumber.GetValueOrDefault(dialledNumber);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration grain did not answer ({Failure}): entry points from this silo's copy, version {Version}")]
    private partial void LogAnsweredFromCopy(long version, string failure);
}
