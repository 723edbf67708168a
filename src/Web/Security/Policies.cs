using Microsoft.AspNetCore.Authorization;

namespace CallCenter.Web.Security;

/// <summary>
/// The named authorization policies of the HTTP API and the gRPC gateway. Each names the rule of
/// <see cref="AccessPolicy"/> it applies; every endpoint declares one (or AllowAnonymous), and an endpoint that declares
/// neither is refused by the fallback policy.
/// </summary>
public static class Policies
{
    /// <summary>An agent or partner expert acting at its own desk.</summary>
    public const string Agent = "agent";

    /// <summary>Supervisors (their own tenant) and admins.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Configuration and user administration.</summary>
    public const string Admin = "admin";

    /// <summary>Any signed-in user acting on its own session (logout, changing its secret).</summary>
    public const string Session = "session";

    /// <summary>Routes under /api/agents/{id}: the agent itself, or a supervisor of the agent's tenant.</summary>
    public const string OwnAgentOrSupervisor = "own-agent-or-supervisor";

    /// <summary>Routes under /api/calls/{id}: the shared call policy for the access named.</summary>
    public static string Call(CallAccess access) => "call-" + access.ToString().ToLowerInvariant();

    public static IServiceCollection AddCallCenterAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Agent, policy => policy.RequireAuthenticatedUser().AddRequirements(new AgentDeskRequirement()))
            .AddPolicy(Supervisor, policy => policy.RequireAuthenticatedUser().AddRequirements(new SupervisionRequirement()))
            .AddPolicy(Session, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().AddRequirements(new AdministrationRequirement()))
            .AddPolicy(OwnAgentOrSupervisor, policy => policy.RequireAuthenticatedUser().AddRequirements(new OwnAgentOrSupervisorRequirement()))
            .AddPolicy(Call(CallAccess.Read), policy => policy.RequireAuthenticatedUser().AddRequirements(new CallAccessRequirement(CallAccess.Read)))
            .AddPolicy(Call(CallAccess.Answer), policy => policy.RequireAuthenticatedUser().AddRequirements(new CallAccessRequirement(CallAccess.Answer)))
            .AddPolicy(Call(CallAccess.Control), policy => policy.RequireAuthenticatedUser().AddRequirements(new CallAccessRequirement(CallAccess.Control)))
            // A new endpoint without a policy of its own is refused (403), so none is left open by accident.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new DeclaredPolicyRequirement()).Build());
        services.AddSingleton<IAuthorizationHandler, RoleRulesHandler>();
        services.AddSingleton<IAuthorizationHandler, OwnAgentOrSupervisorHandler>();
        services.AddSingleton<IAuthorizationHandler, CallAccessHandler>();
        services.AddSingleton<IAuthorizationHandler, ResourceRulesHandler>();
        services.AddSingleton<IAuthorizationHandler, DeclaredPolicyHandler>();
        return services;
    }
}
