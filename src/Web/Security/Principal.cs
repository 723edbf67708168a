using CallCenter.Model;

namespace CallCenter.Web.Security;

/// <summary>Who is calling, as a verified session token (or the local operator on loopback) says.</summary>
public sealed record Principal(
    string UserId,
    UserRole Role,
    string TenantId,
    string? AgentId,
    string? PartnerOrganization,
    string SessionId,
    long SessionEpoch = 0)
{
    /// <summary>Anonymous HTTP on loopback when the operator allows it: the single-machine default's admin.</summary>
    public static Principal LocalOperator { get; } = new("local-operator", UserRole.Admin, TenantDefinition.DefaultTenantId, null, null, "local");
}
