using CallCenter.Grains;
using CallCenter.Web.Security;

namespace CallCenter.Web.Api;

internal sealed record ChangeSecretRequest(string? CurrentSecret, string? NewSecret);

/// <summary>
/// Ending and changing sessions over HTTP: logout, a changed secret and an admin's sign-out of a user each move the
/// user's session epoch on in the user directory, so every token issued before is refused at every silo (gRPC too).
/// </summary>
internal static class SessionApi
{
    public const int MinSecretLength = 8;
    public const int MaxSecretLength = 1024;

    public static void MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/session/logout", async (HttpContext context, IGrainFactory grains, IServiceProvider services) =>
        {
            var principal = context.User.RequiredSessionPrincipal();
            var revoked = await Directory(grains).RevokeSessionsAsync(principal.UserId);
            services.GetService<AuditLog>()?.Write("logout", revoked ? "ok" : "no-session", principal.UserId, ClientAddress.Of(context));
            return Results.Json(new { status = "ok", message = revoked ? "logged out: every session of this user has ended" : "no stored session to end" }, Hosting.JsonDefaults.Options);
        }).RequireAuthorization(Policies.Session);

        app.MapPost("/api/session/secret", async (HttpRequest request, IGrainFactory grains, IServiceProvider services) =>
        {
            var principal = request.HttpContext.User.RequiredSessionPrincipal();
            var (command, error) = await HttpResults.ReadAsync<ChangeSecretRequest>(request);
            if (error is not null)
            {
                return error;
            }

            if (command!.NewSecret is not { Length: >= MinSecretLength and <= MaxSecretLength } newSecret || PublishedDemoSecrets.IsPublished(newSecret))
            {
                return HttpResults.Problem(StatusCodes.Status400BadRequest, $"newSecret must be {MinSecretLength} to {MaxSecretLength} characters and not a published demo secret");
            }

            var directory = Directory(grains);
            var source = ClientAddress.Of(request.HttpContext);
            var user = await directory.FindAsync(principal.UserId);
            if (user is null || string.IsNullOrEmpty(command.CurrentSecret) || command.CurrentSecret.Length > MaxSecretLength
                || !SecretHasher.Verify(command.CurrentSecret, user.SecretHash))
            {
                services.GetService<LoginThrottle>()?.RecordFailure(principal.UserId, source);
                services.GetService<AuditLog>()?.Write("change-secret", "failed", principal.UserId, source);
                return HttpResults.Problem(StatusCodes.Status403Forbidden, "currentSecret is wrong");
            }

            // A new hash moves the session epoch on: this token and every other of the user's are refused from now on.
            await directory.UpsertAsync(user with { SecretHash = SecretHasher.Hash(newSecret) });
            services.GetService<AuditLog>()?.Write("change-secret", "ok", principal.UserId, source);
            return Results.Json(new { status = "ok", message = "secret changed: log in again" }, Hosting.JsonDefaults.Options);
        }).RequireAuthorization(Policies.Session);

        app.MapPost("/api/admin/users/{id}/logout", async (string id, HttpContext context, IGrainFactory grains, IServiceProvider services) =>
        {
            var revoked = await Directory(grains).RevokeSessionsAsync(id);
            services.GetService<AuditLog>()?.Write("force-logout-user", revoked ? "ok" : "unknown", context.User.RequiredSessionPrincipal().UserId, ClientAddress.Of(context), id);
            return revoked
                ? Results.Json(new { status = "ok", message = $"every session of '{id}' has ended" }, Hosting.JsonDefaults.Options)
                : HttpResults.Problem(StatusCodes.Status404NotFound, $"no user '{id}'");
        }).RequireAuthorization(Policies.Admin);
    }

    private static IUserDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
}
