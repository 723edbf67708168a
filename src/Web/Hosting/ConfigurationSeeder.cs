using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Web.Hosting;

/// <summary>
/// At start-up, applies the contact-center configuration file named by <c>CallCenter:ConfigurationFile</c>
/// unless the cluster already holds a configuration (one changed through the admin API is never overwritten).
/// </summary>
internal sealed partial class ConfigurationSeeder(
    IGrainFactory grains, IConfiguration configuration, IHostEnvironment environment, ILogger<ConfigurationSeeder> logger) : IHostedService
{
    public const string FileKey = "CallCenter:ConfigurationFile";

    public bool Seeded { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var file = configuration[FileKey];
        if (string.IsNullOrWhiteSpace(file))
        {
            Seeded = true;
            return;
        }

        var path = Path.IsPathRooted(file) ? file : ResolveRelative(file);
        var loaded = Load(path);
        var result = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).SeedAsync(loaded);
        if (!result.Applied)
        {
            throw new StartupConfigurationException(
                $"{FileKey} '{path}' is invalid: " + string.Join("; ", result.Errors.Select(error => $"{error.Field}: {error.Message}")));
        }

        LogSeeded(path, result.Version);
        Seeded = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static ContactCenterConfiguration Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new StartupConfigurationException($"{FileKey} names '{path}', which does not exist.");
        }

        try
        {
            return JsonSerializer.Deserialize<ContactCenterConfiguration>(File.ReadAllText(path), JsonDefaults.Options)
                ?? throw new StartupConfigurationException($"{FileKey} '{path}' is empty.");
        }
        catch (JsonException exception)
        {
            throw new StartupConfigurationException($"{FileKey} '{path}' is not valid JSON for a contact-center configuration: {exception.Message}");
        }
    }

    private string ResolveRelative(string file)
    {
        var fromContent = Path.Combine(environment.ContentRootPath, file);
        return File.Exists(fromContent) ? fromContent : Path.Combine(AppContext.BaseDirectory, file);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Contact-center configuration from {Path} is in place (version {Version})")]
    private partial void LogSeeded(string path, long version);
}
