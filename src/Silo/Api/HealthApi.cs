using CallCenter.Grains;
using CallCenter.Silo.Hosting;

namespace CallCenter.Silo.Api;

/// <summary>Liveness says the process answers; readiness says the silo serves grains and its configuration is in place.</summary>
internal static class HealthApi
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Text("live"));
        app.MapGet("/health/ready", async (IGrainFactory grains, ConfigurationSeeder seeder, CancellationToken cancellationToken) =>
        {
            if (!seeder.Seeded)
            {
                return HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, "the contact-center configuration is not in place yet");
            }

            try
            {
                var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return Results.Text($"ready: configuration version {configuration.Version}");
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                return HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, $"the cluster does not answer: {exception.Message}");
            }
        });
    }
}
