using CallCenter.Model;

namespace CallCenter.Web.Gateway;

/// <summary>Settings of the agent gateway (section <c>CallCenter:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "CallCenter:Gateway";

    public bool Enabled { get; set; } = true;

    /// <summary>The address gRPC listens on (HTTP/2 only). Plain HTTP/2 only on loopback unless <see cref="AllowInsecure"/>.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; set; } = 8081;

    /// <summary>A PFX certificate: gRPC then runs over TLS.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Allows plain HTTP/2 on a non-loopback address (behind a TLS-terminating proxy, say).</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>Base64, at least 32 bytes; every silo of a cluster needs the same. Empty: a random key per process (one silo only).</summary>
    public string? TokenSigningKey { get; set; }

    public int TokenLifetimeMinutes { get; set; } = 480;

    /// <summary>How long a desktop may be gone before its agent becomes NotReady("disconnected").</summary>
    public int GraceSeconds { get; set; } = 30;

    public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>Failed logins of one user within <see cref="LockoutSeconds"/> before that user is locked out.</summary>
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>Failed logins from one client address (any users) within <see cref="LockoutSeconds"/> before that address is locked out.</summary>
    public int MaxFailedLoginsPerAddress { get; set; } = 50;

    /// <summary>gRPC commands one user may send a minute (every method but Login; a stream counts once, when opened).</summary>
    public int CommandsPerMinute { get; set; } = 600;

    public int LockoutSeconds { get; set; } = 300;

    /// <summary>Where audit events go as JSON lines; empty: the log only.</summary>
    public string? AuditLogPath { get; set; } = "audit.log";

    /// <summary>Users seeded at start when not yet stored (secrets as PBKDF2 hashes only).</summary>
    public List<GatewayUserOptions> Users { get; set; } = [];

    public const int MaxNoteLength = 4000;

    public const int MaxMessageLength = 1000;
}

public sealed class GatewayUserOptions
{
    public string UserId { get; set; } = "";

    public UserRole Role { get; set; } = UserRole.Agent;

    public string TenantId { get; set; } = TenantDefinition.DefaultTenantId;

    /// <summary>For agents and partner experts; defaults to the user id.</summary>
    public string? AgentId { get; set; }

    /// <summary>"pbkdf2-sha256$iterations$salt$hash" (make one with <c>echo secret | dotnet run --project src/Silo -- hash-secret</c>).</summary>
    public string SecretHash { get; set; } = "";
}
