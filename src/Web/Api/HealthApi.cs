using CallCenter.Grains;
using CallCenter.Web.Hosting;

namespace CallCenter.Web.Api;

/// <summary>
/// Readiness says this silo serves grains and the configuration is in place (liveness is a service default). It
/// depends on this silo alone: its own membership status and its start-up seeding. The configuration grain is asked
/// with a short timeout only to report the version; when its silo is frozen or lost, readiness answers from the last
/// version this silo saw, so a load balancer never takes every healthy pod out because of one grain.
/// </summary>
internal static class HealthApi
{
    /// <summary>How long readiness waits for the configuration grain before answering without it.</summary>
    public static readonly TimeSpan ConfigurationTimeout = TimeSpan.FromSeconds(2);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var lastSeen = new LastSeenConfiguration();
        app.MapGet("/health/ready", async (IGrainFactory grains, ConfigurationSeeder seeder, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (!seeder.Seeded)
            {
                return HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, "the contact-center configuration is not in place yet");
            }

            if (LocalSiloStatus(services) is { } status && status != SiloStatus.Active)
            {
                return HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, $"this silo is {status} in the cluster, not Active");
            }

            try
            {
                var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync().WaitAsync(ConfigurationTimeout, cancellationToken);
                lastSeen.Version = configuration.Version;
                return Results.Text($"ready: configuration version {configuration.Version}");
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && (exception is TimeoutException || GrainCallFaults.IsTransient(exception)))
            {
                // This silo is Active and was seeded: the configuration grain's silo is the one in trouble, not this one.
                var version = lastSeen.Version is { } known ? known.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown";
                return Results.Text($"ready: configuration version {version} (last seen; the configuration grain does not answer: {exception.GetType().Name})");
            }
        }).AllowAnonymous();
    }

    /// <summary>This silo's status in the membership table as this silo sees it; null where no silo runs (a client host).</summary>
    private static SiloStatus? LocalSiloStatus(IServiceProvider services)
    {
        if (services.GetService<ILocalSiloDetails>() is not { } local || services.GetService<IClusterMembershipService>() is not { } membership)
        {
            return null;
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return status == SiloStatus.None ? null : status;
    }

    private sealed class LastSeenConfiguration
    {
        private long _version = -1;

        public long? Version
        {
            get => Interlocked.Read(ref _version) is var version and >= 0 ? version : null;
            set => Interlocked.Exchange(ref _version, value ?? -1);
        }
    }
}
