using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;
using Microsoft.Extensions.Options;

namespace CallCenter.Web.Gateway;

/// <summary>Why a login was refused; each front end (gRPC, HTTP) maps it to its own status.</summary>
public enum LoginFailure
{
    None = 0,
    InvalidArgument,
    LockedOut,
    WrongSecret,
    AgentMisconfigured,
}

/// <summary>A login's outcome: a signed token for <see cref="Principal"/>, or the failure and its message.</summary>
public sealed record LoginOutcome(LoginFailure Failure, string? Message, Principal? Principal = null, string? Token = null, DateTimeOffset ExpiresAt = default)
{
    public bool Succeeded => Failure == LoginFailure.None;

    public static LoginOutcome Fail(LoginFailure failure, string message) => new(failure, message);
}

/// <summary>
/// The one login of the gateway, for the desktop's gRPC Login and the wallboard's HTTP login: throttle, PBKDF2 verify
/// (or a dummy verify for an unknown user, so timing tells nothing), audit, token. An agent's user logs its agent in
/// (NotReady until it chooses Available).
/// </summary>
public sealed class UserLogin(IGrainFactory grains, SessionTokens tokens, LoginThrottle throttle, AuditLog audit, IOptions<GatewayOptions> options, IConfiguration configuration)
{
    private readonly bool _demo = DemoCredentials.Apply(configuration);

    public async Task<LoginOutcome> LoginAsync(string? userId, string? secret, string source, string userIdField = "user_id")
    {
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > 128 || userId.Any(char.IsControl))
        {
            return LoginOutcome.Fail(LoginFailure.InvalidArgument, $"{userIdField} must be 1 to 128 printable characters");
        }

        if (string.IsNullOrEmpty(secret) || secret.Length > 1024)
        {
            return LoginOutcome.Fail(LoginFailure.InvalidArgument, "secret must be 1 to 1024 characters");
        }

        if (throttle.IsLockedOut(userId, source))
        {
            audit.Write("login", "locked-out", userId, source);
            return LoginOutcome.Fail(LoginFailure.LockedOut, "too many failed logins: try again later");
        }

        // Outside the demo a published demo secret opens nothing, whatever the store holds (a directory kept from a demo run).
        if (!_demo && PublishedDemoSecrets.IsPublished(secret))
        {
            throttle.RecordFailure(userId, source);
            audit.Write("login", "demo-secret-refused", userId, source);
            return LoginOutcome.Fail(LoginFailure.WrongSecret, "wrong user id or secret");
        }

        var user = await grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).FindAsync(userId);
        if (!SecretHasher.VerifyOrDummy(secret, user?.SecretHash))
        {
            throttle.RecordFailure(userId, source);
            audit.Write("login", "failed", userId, source);
            return LoginOutcome.Fail(LoginFailure.WrongSecret, "wrong user id or secret");
        }

        throttle.RecordSuccess(userId);
        string? agentId = null;
        string? organisation = null;
        if (user!.Role is UserRole.Agent or UserRole.PartnerExpert)
        {
            agentId = user.AgentId ?? user.UserId;
            var agent = grains.GetGrain<IAgentGrain>(agentId);
            var status = await agent.GetStatusAsync();
            if (status.Definition is not { } definition || definition.TenantId != user.TenantId)
            {
                return LoginOutcome.Fail(LoginFailure.AgentMisconfigured, $"agent '{agentId}' is not configured in tenant '{user.TenantId}'");
            }

            if ((user.Role == UserRole.PartnerExpert) != (definition.Kind == AgentKind.PartnerExpert))
            {
                return LoginOutcome.Fail(LoginFailure.AgentMisconfigured, $"user '{user.UserId}' and agent '{agentId}' disagree on being a partner expert");
            }

            organisation = definition.PartnerOrganization;

            // NotReady until the desktop's stream is open and the agent chooses Available; an agent already in (another
            // desktop, or a session renewed) keeps its state and its call.
            await agent.LoginAsync(ReasonCodes.LoggingIn);
        }

        var principal = new Principal(user.UserId, user.Role, user.TenantId, agentId, organisation, Guid.NewGuid().ToString("N"), user.SessionEpoch);
        var token = tokens.Issue(principal, TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes), out var expiresAt);
        audit.Write("login", "ok", user.UserId, source, user.Role.ToString());
        return new LoginOutcome(LoginFailure.None, null, principal, token, expiresAt);
    }
}
