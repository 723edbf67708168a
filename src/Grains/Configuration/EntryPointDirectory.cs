using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Configuration;

/// <summary>
/// This silo's copy of the entry points, for calls being queued (a <see cref="ConfigurationCopy{T}"/>). Each lookup
/// asks the configuration grain for its version (one small call): unchanged, the copy answers; changed, the new
/// configuration is read. When the grain does not answer within <see cref="VersionTimeout"/> (its silo frozen or lost
/// and not yet declared dead) the copy answers, so new calls keep being queued instead of waiting on one silo; a silo
/// that has no copy yet reads the configuration grain's stored state directly, which does not need the grain's silo.
/// </summary>
public sealed partial class EntryPointDirectory
{
    public static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(1);

    private readonly ConfigurationCopy<Dictionary<string, EntryPoint>> _copy;
    private readonly StoredConfiguration _stored;
    private readonly ILogger<EntryPointDirectory> _logger;

    public EntryPointDirectory(IGrainFactory grains, TimeProvider time, StoredConfiguration stored, ILogger<EntryPointDirectory> logger)
    {
        _stored = stored;
        _logger = logger;
        _copy = new ConfigurationCopy<Dictionary<string, EntryPoint>>(grains, ByNumber, time)
        {
            GrainTimeout = VersionTimeout,
            ReadWithoutTheGrain = ReadStoredAsync,
        };
    }

    /// <summary>The entry point of <paramref name="dialledNumber"/>, or null when the configuration has none.</summary>
    public async Task<EntryPoint?> FindAsync(string dialledNumber)
    {
        Dictionary<string, EntryPoint> byNumber;
        try
        {
            byNumber = await _copy.RefreshAsync();
        }
        catch (Exception exception) when (GrainCallFaults.IsTransient(exception) && _copy.Current is { } copy)
        {
            LogAnsweredFromCopy(_copy.Version, exception.GetType().Name);
            byNumber = copy;
        }

        return byNumber.GetValueOrDefault(dialledNumber);
    }

    private static Dictionary<string, EntryPoint> ByNumber(ContactCenterConfiguration configuration) =>
        configuration.EntryPoints.DistinctBy(entry => entry.DialledNumber).ToDictionary(entry => entry.DialledNumber, StringComparer.Ordinal);

    private Task<ContactCenterConfiguration> ReadStoredAsync()
    {
        LogReadFromStorage();
        return _stored.ReadAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration grain did not answer ({Failure}): entry points from this silo's copy, version {Version}")]
    private partial void LogAnsweredFromCopy(long version, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration grain did not answer this silo's first read: the configuration is read from its stored state")]
    private partial void LogReadFromStorage();
}
