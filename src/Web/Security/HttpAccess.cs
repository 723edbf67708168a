using System.Net;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Api;
using CallCenter.Web.Gateway;
using CallCenter.Web.Security;

namespace CallCenter.Web.Security;

/// <summary>
/// Who calls the HTTP API and what they may do, with the gateway's tokens and its <see cref="AccessPolicy"/> (one
/// place for both APIs). A request with "Authorization: Bearer &lt;token&gt;" acts as the token's user; a request without
/// one is the local operator (an admin) only from loopback and only while <c>CallCenter:Http:AllowAnonymousLoopback</c>
/// is true (the single-machine default); anything else is 401.
/// </summary>
internal static class HttpAccess
{
    public const string AllowAnonymousLoopbackKey = "CallCenter:Http:AllowAnonymousLoopback";
    private const string PrincipalItem = "callcenter.principal";

    public static TBuilder RequireAdministration<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Authenticate(context.HttpContext, out var principal) ?? Deny(AccessPolicy.ForAdministration(principal!)) ?? await next(context));

    /// <summary>The administration rule for a request outside the minimal API (the dashboard): null when allowed, else the 401 or 403 to send.</summary>
    public static IResult? CheckAdministration(HttpContext context) =>
        Authenticate(context, out var principal) ?? Deny(AccessPolicy.ForAdministration(principal!));

    /// <summary>Live views of queues, sites and routing: supervisors (their tenant's view) and admins.</summary>
    public static TBuilder RequireSupervision<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Authenticate(context.HttpContext, out var principal) ?? Deny(AccessPolicy.ForSupervision(principal!, principal!.TenantId)) ?? await next(context));

    /// <summary>Routes under /api/agents/{id}: the agent itself, or a supervisor of the agent's tenant.</summary>
    public static TBuilder RequireAgentAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (Authenticate(context.HttpContext, out var principal) is { } unauthenticated)
            {
                return unauthenticated;
            }

            var agentId = context.HttpContext.GetRouteValue("id") as string ?? "";
            if (principal!.Role is UserRole.Agent or UserRole.PartnerExpert)
            {
                return principal.AgentId == agentId ? await next(context) : Deny(AccessDecision.Deny($"you are agent '{principal.AgentId}', not '{agentId}'"));
            }

            var status = await context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IAgentGrain>(agentId).GetStatusAsync();
            return Deny(AccessPolicy.ForSupervision(principal, status.Definition?.TenantId ?? principal.TenantId)) ?? await next(context);
        });

    /// <summary>Routes under /api/calls/{id}: the shared call policy for <paramref name="access"/>.</summary>
    public static TBuilder RequireCallAccess<TBuilder>(this TBuilder builder, CallAccess access)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (Authenticate(context.HttpContext, out var principal) is { } unauthenticated)
            {
                return unauthenticated;
            }

            var callId = context.HttpContext.GetRouteValue("id") as string ?? "";
            var grains = context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
            var call = await grains.GetGrain<ICallGrain>(callId).GetAsync();
            if (call.State == CallState.New)
            {
                return principal!.Role == UserRole.Admin ? HttpResults.Problem(404, $"no call '{callId}'") : Deny(AccessDecision.Deny($"call '{callId}' is not yours"));
            }

            var reservedForMe = principal!.AgentId is { } me && access == CallAccess.Answer
                && (await grains.GetGrain<IAgentGrain>(me).GetStatusAsync()).Offer?.CallId == callId;
            return Deny(AccessPolicy.ForCall(principal, call, access, reservedForMe)) ?? await next(context);
        });

    /// <summary>A command naming an agent in its body: an agent may name only itself.</summary>
    public static IResult? ForbidOtherAgent(HttpContext context, string? agentId) =>
        context.Items[PrincipalItem] is Principal { Role: UserRole.Agent or UserRole.PartnerExpert } principal && principal.AgentId != agentId
            ? Deny(AccessDecision.Deny($"you are agent '{principal.AgentId}', not '{agentId}'"))
            : null;

    /// <summary>The caller an access filter authenticated on this request (null before any filter ran).</summary>
    public static Principal? PrincipalOf(HttpContext context) => context.Items[PrincipalItem] as Principal;

    /// <summary>Null when the caller is known (and remembered on the request); otherwise the 401 to return.</summary>
    private static IResult? Authenticate(HttpContext context, out Principal? principal)
    {
        principal = context.Items[PrincipalItem] as Principal;
        if (principal is not null)
        {
            return null;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var security = context.RequestServices.GetService<GatewaySecurity>();
            var check = security?.Tokens.Validate(header["Bearer ".Length..].Trim());
            if (check?.Principal is null)
            {
                return HttpResults.Problem(StatusCodes.Status401Unauthorized, check?.Error ?? "tokens are issued by the agent gateway, which is disabled");
            }

            principal = check.Principal;
        }
        else if (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            && context.RequestServices.GetRequiredService<IConfiguration>().GetValue(AllowAnonymousLoopbackKey, true))
        {
            principal = Principal.LocalOperator;
        }
        else
        {
            return HttpResults.Problem(StatusCodes.Status401Unauthorized, "send 'Authorization: Bearer <token>' (log in through the agent gateway)");
        }

        context.Items[PrincipalItem] = principal;
        return null;
    }

    private static IResult? Deny(AccessDecision decision) =>
        decision.Allowed ? null : HttpResults.Problem(StatusCodes.Status403Forbidden, decision.Reason ?? "not allowed");
}
