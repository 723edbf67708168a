using CallCenter.Grains;
using CallCenter.Web.Hosting;

namespace CallCenter.Web.Api;

/// <summary>Readiness says the silo serves grains and its configuration is in place (liveness is a service default).</summary>
internal static class HealthApi
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
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
        }).AllowAnonymous();
    }
}
