using System.Globalization;
using System.Threading.RateLimiting;
using CallCenter.Web.Api;
using Microsoft.AspNetCore.RateLimiting;

namespace CallCenter.Web.Security;

/// <summary>
/// ASP.NET Core's rate limiting for the HTTP API: the wallboard's login (<c>POST /api/session/login</c>) takes at most
/// <c>CallCenter:Http:LoginsPerMinute</c> requests a minute from one client address (30 by default), and answers 429 with
/// Retry-After past that. It comes before the per-user and per-address lockout of failed logins (<see cref="LoginThrottle"/>),
/// and bounds the PBKDF2 work one address can ask for.
/// </summary>
public static class HttpRateLimits
{
    public const string LoginPolicy = "login";
    public const string LoginsPerMinuteKey = "CallCenter:Http:LoginsPerMinute";
    public const int DefaultLoginsPerMinute = 30;

    public static IServiceCollection AddCallCenterRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perMinute = configuration.GetValue(LoginsPerMinuteKey, DefaultLoginsPerMinute);
        if (perMinute < 1)
        {
            throw new StartupConfigurationException($"{LoginsPerMinuteKey} must be at least 1");
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, _) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await HttpResults.Problem(StatusCodes.Status429TooManyRequests, "too many logins from this address: try again later").ExecuteAsync(rejected.HttpContext);
            };
            limiter.AddPolicy(LoginPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }
}
