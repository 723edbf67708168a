using CallCenter.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallCenter.Web.Security;

/// <summary>
/// Registers the login rate limit (<see cref="LoginRateLimits"/>) that both front ends ask before a login: at most
/// <c>CallCenter:Http:LoginsPerMinute</c> attempts a minute from one client address (30 by default; raise it for an office
/// of desktops behind one NAT) and <c>CallCenter:Http:LoginsPerMinutePerUser</c> for one user id (10 by default), whatever
/// their outcome and whichever transport (the wallboard's HTTP login, the desktop's gRPC Login). Idempotent: the HTTP API
/// and the gateway each ask for it.
/// </summary>
public static class HttpRateLimits
{
    public const string LoginsPerMinuteKey = "CallCenter:Http:LoginsPerMinute";
    public const string LoginsPerMinutePerUserKey = "CallCenter:Http:LoginsPerMinutePerUser";
    public const int DefaultLoginsPerMinute = 30;
    public const int DefaultLoginsPerMinutePerUser = 10;

    public static IServiceCollection AddCallCenterRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perAddress = configuration.GetValue(LoginsPerMinuteKey, DefaultLoginsPerMinute);
        var perUser = configuration.GetValue(LoginsPerMinutePerUserKey, DefaultLoginsPerMinutePerUser);
        if (perAddress < 1 || perUser < 1)
        {
            throw new StartupConfigurationException($"{LoginsPerMinuteKey} and {LoginsPerMinutePerUserKey} must be at least 1");
        }

        // The contact center's clock when the silo has one (a fake one in tests), the system's otherwise.
        services.TryAddSingleton(services => new LoginRateLimits(perAddress, perUser, services.GetKeyedService<TimeProvider>(ContactCenterClock.ServiceKey) ?? TimeProvider.System));
        return services;
    }
}
