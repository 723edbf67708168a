using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.AspNetCore.Authorization;

namespace CallCenter.Web.Security;

/// <summary>Acting as an agent (presence, the event stream, call commands): <see cref="AccessPolicy.ForAgentDesk"/>.</summary>
public sealed class AgentDeskRequirement : IAuthorizationRequirement;

/// <summary>Supervising one's own tenant (or any, as an admin): <see cref="AccessPolicy.ForSupervision"/>.</summary>
public sealed class SupervisionRequirement : IAuthorizationRequirement;

/// <summary>Configuration and user administration: <see cref="AccessPolicy.ForAdministration"/>.</summary>
public sealed class AdministrationRequirement : IAuthorizationRequirement;

/// <summary>The agent named by the route's <c>id</c> is the caller, or the caller supervises the agent's tenant.</summary>
public sealed class OwnAgentOrSupervisorRequirement : IAuthorizationRequirement;

/// <summary>The shared call policy (<see cref="AccessPolicy.ForCall"/>) for the call of the route's <c>id</c>, or of a <see cref="CallResource"/>.</summary>
public sealed class CallAccessRequirement(CallAccess access) : IAuthorizationRequirement
{
    public CallAccess Access => access;
}

/// <summary>Supervising a <see cref="TenantResource"/>: the caller's own tenant, or any tenant for an admin.</summary>
public sealed class SameTenantRequirement : IAuthorizationRequirement;

/// <summary>A command naming an <see cref="AgentResource"/>: an agent may name only itself.</summary>
public sealed class OwnAgentRequirement : IAuthorizationRequirement;

/// <summary>The fallback: an endpoint must declare a policy (or AllowAnonymous); a request no endpoint matched passes on.</summary>
public sealed class DeclaredPolicyRequirement : IAuthorizationRequirement;

/// <summary>A call as a gRPC command found it, and whether the agent's own grain holds its offer.</summary>
public sealed record CallResource(CallSnapshot Call, bool ReservedForMe);

public sealed record TenantResource(string TenantId);

public sealed record AgentResource(string? AgentId);

/// <summary>A refusal that the HTTP API answers with 404 rather than 403 (an admin asking for a call that does not exist).</summary>
public sealed class NotFoundFailureReason(IAuthorizationHandler handler, string message) : AuthorizationFailureReason(handler, message);

internal static class AuthorizationContextExtensions
{
    /// <summary>Records <paramref name="decision"/> for <paramref name="requirement"/>: success, or failure with its reason.</summary>
    public static void Decide(this AuthorizationHandlerContext context, IAuthorizationHandler handler, IAuthorizationRequirement requirement, AccessDecision decision)
    {
        if (decision.Allowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(handler, decision.Reason ?? "not allowed"));
        }
    }
}

/// <summary>The role rules that need nothing but the caller.</summary>
internal sealed class RoleRulesHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.User.SessionPrincipal() is not { } principal)
        {
            return Task.CompletedTask;
        }

        foreach (var requirement in context.PendingRequirements.ToList())
        {
            switch (requirement)
            {
                case AgentDeskRequirement:
                    context.Decide(this, requirement, AccessPolicy.ForAgentDesk(principal));
                    break;
                case SupervisionRequirement:
                    context.Decide(this, requirement, AccessPolicy.ForSupervision(principal, principal.TenantId));
                    break;
                case AdministrationRequirement:
                    context.Decide(this, requirement, AccessPolicy.ForAdministration(principal));
                    break;
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>Rules on a resource a gRPC method or an HTTP handler found (a tenant, an agent named in a body).</summary>
internal sealed class ResourceRulesHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.User.SessionPrincipal() is not { } principal)
        {
            return Task.CompletedTask;
        }

        foreach (var requirement in context.PendingRequirements.ToList())
        {
            switch (requirement, context.Resource)
            {
                case (SameTenantRequirement, TenantResource tenant):
                    context.Decide(this, requirement, AccessPolicy.ForSupervision(principal, tenant.TenantId));
                    break;
                case (OwnAgentRequirement, AgentResource agent):
                    context.Decide(this, requirement, principal.Role is UserRole.Agent or UserRole.PartnerExpert && principal.AgentId != agent.AgentId
                        ? AccessDecision.Deny($"you are agent '{principal.AgentId}', not '{agent.AgentId}'")
                        : AccessDecision.Allow);
                    break;
            }
        }

        return Task.CompletedTask;
    }
}

internal sealed class OwnAgentOrSupervisorHandler : AuthorizationHandler<OwnAgentOrSupervisorRequirement, HttpContext>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnAgentOrSupervisorRequirement requirement, HttpContext http)
    {
        if (context.User.SessionPrincipal() is not { } principal)
        {
            return;
        }

        var agentId = http.GetRouteValue("id") as string ?? "";
        if (principal.Role is UserRole.Agent or UserRole.PartnerExpert)
        {
            context.Decide(this, requirement, principal.AgentId == agentId ? AccessDecision.Allow : AccessDecision.Deny($"you are agent '{principal.AgentId}', not '{agentId}'"));
            return;
        }

        var status = await http.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IAgentGrain>(agentId).GetStatusAsync();
        context.Decide(this, requirement, AccessPolicy.ForSupervision(principal, status.Definition?.TenantId ?? principal.TenantId));
    }
}

internal sealed class CallAccessHandler : AuthorizationHandler<CallAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CallAccessRequirement requirement)
    {
        if (context.User.SessionPrincipal() is not { } principal)
        {
            return;
        }

        switch (context.Resource)
        {
            case CallResource found when found.Call.State == CallState.New:
                // Unknown calls are denied like other people's, so ids cannot be probed.
                context.Decide(this, requirement, AccessDecision.Deny($"call '{found.Call.CallId}' is not offered to or held by agent '{principal.AgentId}'"));
                break;
            case CallResource found:
                context.Decide(this, requirement, AccessPolicy.ForCall(principal, found.Call, requirement.Access, found.ReservedForMe));
                break;
            case HttpContext http:
                await HandleRouteAsync(context, requirement, principal, http.RequestServices.GetRequiredService<IGrainFactory>(), http.GetRouteValue("id") as string ?? "");
                break;
        }
    }

    private async Task HandleRouteAsync(AuthorizationHandlerContext context, CallAccessRequirement requirement, Principal principal, IGrainFactory grains, string callId)
    {
        var call = await grains.GetGrain<ICallGrain>(callId).GetAsync();
        if (call.State == CallState.New)
        {
            if (AccessPolicy.SeesAllTenants(principal))
            {
                context.Fail(new NotFoundFailureReason(this, $"no call '{callId}'"));
            }
            else
            {
                context.Decide(this, requirement, AccessDecision.Deny($"call '{callId}' is not yours"));
            }

            return;
        }

        var reservedForMe = principal.AgentId is { } me && requirement.Access == CallAccess.Answer
            && (await grains.GetGrain<IAgentGrain>(me).GetStatusAsync()).Offer?.CallId == callId;
        context.Decide(this, requirement, AccessPolicy.ForCall(principal, call, requirement.Access, reservedForMe));
    }
}

internal sealed class DeclaredPolicyHandler : AuthorizationHandler<DeclaredPolicyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DeclaredPolicyRequirement requirement)
    {
        if (context.Resource is HttpContext http && http.GetEndpoint() is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "this endpoint declares no authorization policy"));
        }

        return Task.CompletedTask;
    }
}
