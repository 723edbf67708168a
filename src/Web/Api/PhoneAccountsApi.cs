using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using Microsoft.AspNetCore.Mvc;

namespace CallCenter.Web.Api;

/// <summary>A phone account's secret: a password (hashed here, never stored) or both HA1 values computed elsewhere.</summary>
internal sealed record PhoneAccountRequest(string? Password, string? Ha1Md5, string? Ha1Sha256);

/// <summary>An agent asking for its own phone account: a password it chose, or none for one generated and shown once.</summary>
internal sealed record ProvisionPhoneRequest(string? Password);

/// <summary>
/// Agent phones' SIP accounts at run time (no restart): the username is the agent id, the stored secret is digest HA1
/// (MD5 and SHA-256) in the edge's realm (<c>CallCenter:Sip:Realm</c>, which web and edge must share). The platform
/// admin manages every account; an agent sets its own from its desktop. Edges pick changes up within seconds
/// (<c>docs/operations.md</c>, phone accounts).
/// </summary>
internal static class PhoneAccountsApi
{
    public const string RealmKey = "CallCenter:Sip:Realm";
    public const string DefaultRealm = "callcenter";

    public static void MapPhoneAccountsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/phones").RequireAuthorization(Policies.Admin);
        admin.MapGet("", async (IGrainFactory grains) =>
        {
            var accounts = await Directory(grains).ListAsync();
            return Results.Json(accounts.Select(account => new { account.Username, account.AgentId, account.TenantId, account.Realm }), JsonDefaults.Options);
        });
        admin.MapPut("/{agentId}", async (string agentId, HttpRequest request, IGrainFactory grains, IConfiguration configuration, IServiceProvider services) =>
        {
            var (body, error) = await HttpResults.ReadAsync<PhoneAccountRequest>(request);
            if (error is not null)
            {
                return error;
            }

            var actor = request.HttpContext.User.RequiredSessionPrincipal().UserId;
            var source = ClientAddress.Of(request.HttpContext);
            var agent = await FindAgentAsync(grains, agentId);
            var (account, problem) = agent is null
                ? (null, PhoneDigest.UsernameProblem(agentId) ?? $"no agent '{agentId}'")
                : Build(agentId, agent.TenantId, Realm(configuration), body!);
            if (account is null)
            {
                services.GetService<AuditLog>()?.Write("phone-put", "invalid", actor, source, agentId);
                return HttpResults.Problem(agent is null && PhoneDigest.UsernameProblem(agentId) is null ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, problem!);
            }

            await Directory(grains).PutAsync(account);
            services.GetService<AuditLog>()?.Write("phone-put", "ok", actor, source, agentId);
            return Results.Json(new { account.Username, account.AgentId, account.TenantId, account.Realm }, JsonDefaults.Options);
        });
        admin.MapDelete("/{agentId}", async (string agentId, HttpContext context, IGrainFactory grains, IServiceProvider services) =>
        {
            var removed = await Directory(grains).RemoveAsync(agentId);
            services.GetService<AuditLog>()?.Write("phone-delete", removed ? "ok" : "unknown", context.User.RequiredSessionPrincipal().UserId, ClientAddress.Of(context), agentId);
            return removed
                ? Results.Json(new { status = "ok", message = $"phone account '{agentId}' removed; its registrations end within seconds" }, JsonDefaults.Options)
                : HttpResults.Problem(StatusCodes.Status404NotFound, $"no phone account '{agentId}'");
        });

        // The desktop's own phone: the signed-in agent sets (or has generated) the password of the account named after it.
        app.MapPost("/api/session/phone", async (HttpRequest request, [FromServices] PhoneProvisioning provisioning) =>
        {
            var principal = request.HttpContext.User.RequiredSessionPrincipal();
            ProvisionPhoneRequest? body = new(null);
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                var (read, error) = await HttpResults.ReadAsync<ProvisionPhoneRequest>(request);
                if (error is not null)
                {
                    return error;
                }

                body = read;
            }

            var (phone, problem) = await provisioning.ProvisionAsync(principal, body?.Password, ClientAddress.Of(request.HttpContext));
            return phone is null
                ? HttpResults.Problem(StatusCodes.Status400BadRequest, problem!)
                : Results.Json(new { phone.Username, phone.Realm, phone.Registrar, phone.Password }, JsonDefaults.Options);
        }).RequireAuthorization(Policies.Agent);
    }

    /// <summary>The account for a request, or why not (400): a valid username, and a valid password or both HA1 values.</summary>
    internal static (PhoneAccount? Account, string? Problem) Build(string username, string tenantId, string realm, PhoneAccountRequest body)
    {
        if (PhoneDigest.UsernameProblem(username) is { } usernameProblem)
        {
            return (null, usernameProblem);
        }

        if (body.Password is not null)
        {
            if (body.Ha1Md5 is not null || body.Ha1Sha256 is not null)
            {
                return (null, "give either password or ha1Md5 and ha1Sha256, not both");
            }

            if (PhoneDigest.PasswordProblem(body.Password) is { } passwordProblem)
            {
                return (null, passwordProblem);
            }

            return PublishedDemoSecrets.IsPublished(body.Password)
                ? (null, "password: a demo secret published in the repository")
                : (PhoneDigest.Create(username, username, tenantId, realm, body.Password), null);
        }

        if (!PhoneDigest.IsHa1(body.Ha1Md5, PhoneDigest.Ha1Md5Length) || !PhoneDigest.IsHa1(body.Ha1Sha256, PhoneDigest.Ha1Sha256Length))
        {
            return (null, $"give password, or ha1Md5 ({PhoneDigest.Ha1Md5Length} hex digits) and ha1Sha256 ({PhoneDigest.Ha1Sha256Length} hex digits) of username:{realm}:password");
        }

        return (new PhoneAccount { Username = username, AgentId = username, TenantId = tenantId, Realm = realm, Ha1Md5 = body.Ha1Md5!, Ha1Sha256 = body.Ha1Sha256! }, null);
    }

    internal static string Realm(IConfiguration configuration) =>
        configuration[RealmKey] is { Length: > 0 } realm ? realm : DefaultRealm;

    private static async Task<AgentDefinition?> FindAgentAsync(IGrainFactory grains, string agentId) =>
        (await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync()).Agents.FirstOrDefault(agent => agent.Id == agentId);

    private static IPhoneAccountDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);
}
