using CallCenter.Model;

namespace CallCenter.Web.Security;

/// <summary>What a caller wants to do with a call.</summary>
public enum CallAccess
{
    /// <summary>See the call (its state, data and notes).</summary>
    Read,
    /// <summary>Accept or reject an offer.</summary>
    Answer,
    /// <summary>Hold, resume, hang up, transfer, consult: the call must be the agent's own now.</summary>
    Control,
    /// <summary>Record a disposition: the agent handled the call.</summary>
    WrapUp,
    /// <summary>Look up the caller's customer record: only for the call offered to or held by the agent now.</summary>
    Customer,
}

public sealed record AccessDecision(bool Allowed, string? Reason = null)
{
    public static AccessDecision Allow { get; } = new(true);

    public static AccessDecision Deny(string reason) => new(false, reason);
}

/// <summary>
/// The tenancy and role rules, in one place for the gRPC gateway and the HTTP API. An admin of the default tenant is
/// the platform's admin and may do anything in every tenant; an admin of another tenant is that tenant's admin: it
/// sees and supervises its own tenant only and does not change the shared configuration. Supervisors see and manage
/// their own tenant; agents and partner experts reach only the calls offered to them, held by them, or handed to them
/// — any other call, queue or customer is denied.
/// </summary>
public static class AccessPolicy
{
    /// <summary>The platform's admin: an admin of the default tenant.</summary>
    public static bool SeesAllTenants(Principal principal) =>
        principal.Role == UserRole.Admin && principal.TenantId == TenantDefinition.DefaultTenantId;

    /// <summary>Whether live state or history of <paramref name="tenantId"/> may be shown to <paramref name="principal"/>.</summary>
    public static bool SeesTenant(Principal principal, string? tenantId) =>
        SeesAllTenants(principal) || principal.TenantId == (tenantId ?? TenantDefinition.DefaultTenantId);

    /// <param name="reservedForMe">
    /// The agent's own grain holds an offer of this call: the agent hears of an offer before the call does, so this
    /// counts as offered (the queue still checks the offer's epoch on accept).
    /// </param>
    public static AccessDecision ForCall(Principal principal, CallSnapshot call, CallAccess access, bool reservedForMe = false)
    {
        if (SeesAllTenants(principal))
        {
            return AccessDecision.Allow;
        }

        var tenant = call.Arrival?.TenantId ?? TenantDefinition.DefaultTenantId;
        if (tenant != principal.TenantId)
        {
            return AccessDecision.Deny($"call '{call.CallId}' is not in your tenant");
        }

        if (principal.Role == UserRole.Admin)
        {
            return AccessDecision.Allow;
        }

        if (principal.Role == UserRole.Supervisor)
        {
            return access == CallAccess.Read ? AccessDecision.Allow : AccessDecision.Deny("supervisors watch calls; agents handle them");
        }

        if (principal.AgentId is not { } me)
        {
            return AccessDecision.Deny("this user is not an agent");
        }

        var offeredToMe = (call.State == CallState.Offered && call.OfferedAgentId == me) || (reservedForMe && call.State is CallState.Queued or CallState.Offered);
        var mine = call.AgentId == me && call.State is CallState.Connecting or CallState.Connected or CallState.Held or CallState.Consulting;
        var consultedMe = call.Consult is { Kind: TransferKind.Agent } consult && consult.Target == me;
        var handledByMe = call.AgentId == me || call.Timeline.Any(e => e.AgentId == me && e.Kind is CallEventKind.Accepted or CallEventKind.Connected);
        var allowed = access switch
        {
            // A retried accept or reject reaches the grain (which answers AlreadyDone or stale), but only for an offer made to this agent.
            CallAccess.Answer => offeredToMe || call.AgentId == me || call.Timeline.Any(e => e.Kind == CallEventKind.Offered && e.AgentId == me),
            // A retried hang-up of the agent's own ended call is AlreadyDone in the grain.
            CallAccess.Control => mine || (handledByMe && call.State == CallState.Ended),
            CallAccess.WrapUp => handledByMe,
            CallAccess.Customer => offeredToMe || mine || consultedMe,
            _ => offeredToMe || mine || consultedMe || handledByMe,
        };
        return allowed ? AccessDecision.Allow : AccessDecision.Deny($"call '{call.CallId}' is not offered to or held by agent '{me}'");
    }

    /// <summary>Supervisor operations on an agent or queue of <paramref name="tenantId"/>.</summary>
    public static AccessDecision ForSupervision(Principal principal, string tenantId) => principal.Role switch
    {
        UserRole.Admin or UserRole.Supervisor when SeesTenant(principal, tenantId) => AccessDecision.Allow,
        UserRole.Admin or UserRole.Supervisor => AccessDecision.Deny($"tenant '{tenantId}' is not yours"),
        _ => AccessDecision.Deny("supervisors only"),
    };

    /// <summary>Configuration and user administration.</summary>
    public static AccessDecision ForAdministration(Principal principal) =>
        SeesAllTenants(principal) ? AccessDecision.Allow
        : principal.Role == UserRole.Admin ? AccessDecision.Deny("the shared configuration is the platform admin's (an admin of the default tenant)")
        : AccessDecision.Deny("admins only");

    /// <summary>Acting as an agent (presence, the event stream): only the agent's own user.</summary>
    public static AccessDecision ForAgentDesk(Principal principal) =>
        principal.Role is UserRole.Agent or UserRole.PartnerExpert && principal.AgentId is not null
            ? AccessDecision.Allow
            : AccessDecision.Deny("only agents and partner experts have a desk");
}
