namespace CallCenter.Model;

/// <summary>What a user of the agent gateway may do (see the access policy in the silo's gateway).</summary>
[Alias("callcenter.user-role")]
public enum UserRole
{
    Agent = 0,
    /// <summary>An agent of a partner organisation: only calls from queues entitled to that organisation.</summary>
    PartnerExpert = 1,
    Supervisor = 2,
    Admin = 3,
}

/// <summary>A gateway user. The secret is kept only as a salted slow hash (PBKDF2), never in clear.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.user-record")]
public sealed record UserRecord
{
    [Id(0)] public required string UserId { get; init; }
    [Id(1)] public UserRole Role { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    /// <summary>For agents and partner experts: the agent they log in as (usually the same id).</summary>
    [Id(3)] public string? AgentId { get; init; }
    /// <summary>"pbkdf2-sha256$iterations$salt$hash", base64 parts.</summary>
    [Id(4)] public required string SecretHash { get; init; }
    /// <summary>
    /// The generation of the user's sessions: a token carries the one it was issued under and is refused once this has
    /// moved on (logout, an admin's sign-out, a changed secret, role or tenant). Kept by the directory, never by a caller.
    /// </summary>
    [Id(5)] public long SessionEpoch { get; init; }
}
