using System.Security.Claims;
using CallCenter.Model;

namespace CallCenter.Web.Security;

/// <summary>Claim types of a session: the user, role, tenant and agent the session token (or the loopback rule) vouches for.</summary>
public static class SessionClaims
{
    public const string UserId = "sub";
    public const string Role = "role";
    public const string Tenant = "tenant";
    public const string AgentId = "agent";
    public const string PartnerOrganization = "org";
    public const string SessionId = "sid";

    /// <summary>The role claim's value for <paramref name="role"/> (what the "agent", "supervisor" and "admin" policies test).</summary>
    public static string RoleName(UserRole role) => role.ToString();
}

/// <summary>An authenticated session as ASP.NET Core sees it: claims for policies, and the <see cref="Security.Principal"/> they came from.</summary>
public sealed class SessionIdentity : ClaimsIdentity
{
    public SessionIdentity(Principal principal, string authenticationType)
        : base(ClaimsOf(principal), authenticationType, SessionClaims.UserId, SessionClaims.Role) => Principal = principal;

    public Principal Principal { get; }

    private static IEnumerable<Claim> ClaimsOf(Principal principal)
    {
        yield return new Claim(SessionClaims.UserId, principal.UserId);
        yield return new Claim(SessionClaims.Role, SessionClaims.RoleName(principal.Role));
        yield return new Claim(SessionClaims.Tenant, principal.TenantId);
        yield return new Claim(SessionClaims.SessionId, principal.SessionId);
        if (principal.AgentId is { } agentId)
        {
            yield return new Claim(SessionClaims.AgentId, agentId);
        }

        if (principal.PartnerOrganization is { } organization)
        {
            yield return new Claim(SessionClaims.PartnerOrganization, organization);
        }
    }
}

public static class SessionPrincipalExtensions
{
    /// <summary>The session behind an authenticated request; null before authentication or for an anonymous request.</summary>
    public static Principal? SessionPrincipal(this ClaimsPrincipal user) =>
        user.Identities.OfType<SessionIdentity>().FirstOrDefault()?.Principal;

    /// <summary>The session of a request its endpoint's policy has authenticated.</summary>
    public static Principal RequiredSessionPrincipal(this ClaimsPrincipal user) =>
        user.SessionPrincipal() ?? throw new InvalidOperationException("the endpoint's authorization policy lets no anonymous request through");
}
