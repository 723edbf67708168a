using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;

namespace CallCenter.Web.Api;

/// <summary>What an agent's desktop is told about its phone account: the password only when the server generated it (shown once).</summary>
public sealed record ProvisionedPhone(string Username, string Realm, string Registrar, string? Password);

/// <summary>
/// An agent provisioning its own phone account, the same for HTTP (<c>POST /api/session/phone</c>) and gRPC
/// (<c>AgentDesk.ProvisionPhone</c>): the username is the agent id, the password the agent's or a generated one, stored as
/// HA1 in the edge's realm. The registrar the phone registers with is <c>CallCenter:Sip:Registrar</c>, else the edge's
/// advertised (or listen) address and port.
/// </summary>
public sealed class PhoneProvisioning(IGrainFactory grains, IConfiguration configuration, IServiceProvider services)
{
    public const string RegistrarKey = "CallCenter:Sip:Registrar";

    /// <summary>The provisioned account, or why not (a bad password: a client error).</summary>
    public async Task<(ProvisionedPhone? Phone, string? Problem)> ProvisionAsync(Principal principal, string? password, string source)
    {
        var agentId = principal.AgentId ?? throw new InvalidOperationException("only an agent's session provisions a phone (the agent policy)");
        var generated = password is null;
        password ??= PhoneDigest.GeneratePassword();
        var configuredAgents = (await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync()).Agents;
        var tenant = configuredAgents.FirstOrDefault(agent => agent.Id == agentId)?.TenantId ?? principal.TenantId;
        var (account, problem) = PhoneAccountsApi.Build(agentId, tenant, PhoneAccountsApi.Realm(configuration), new PhoneAccountRequest(password, null, null));
        var audit = services.GetService<AuditLog>();
        if (account is null)
        {
            audit?.Write("phone-provision", "invalid", principal.UserId, source, agentId);
            return (null, problem);
        }

        await grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts).PutAsync(account);
        audit?.Write("phone-provision", "ok", principal.UserId, source, agentId);
        // A generated password is returned this once and never again: only its HA1 is kept.
        return (new ProvisionedPhone(account.Username, account.Realm, Registrar(), generated ? password : null), null);
    }

    private string Registrar()
    {
        if (configuration[RegistrarKey] is { Length: > 0 } registrar)
        {
            return registrar;
        }

        var host = configuration["CallCenter:Sip:AdvertisedAddress"] is { Length: > 0 } advertised ? advertised : configuration["CallCenter:Sip:ListenAddress"] ?? "127.0.0.1";
        return $"{host}:{configuration.GetValue("CallCenter:Sip:Port", 5060)}";
    }
}
