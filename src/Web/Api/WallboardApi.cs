using CallCenter.Domain;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using CallCenter.Web.Wallboard;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.FileProviders;

namespace CallCenter.Web.Api;

internal sealed record SessionLoginRequest(string? UserId, string? Secret);

internal sealed record SetSkillsCommand(IReadOnlyList<SkillLevel> Skills);

/// <summary>
/// The wallboard: its static page (wwwroot, copied next to the silo's assembly), a one-second snapshot stream (SSE),
/// the HTTP login the page's supervisor uses (the gateway's own login logic), and the supervisor's skill change.
/// </summary>
internal static class WallboardApi
{
    /// <summary>The static page, served before authentication: it is public and asks for a login itself.</summary>
    public static WebApplication UseWallboardPage(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        return app;
    }

    public static void MapWallboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/wallboard", () => Results.Redirect("/")).AllowAnonymous();
        app.MapPost("/api/session/login", async (HttpRequest request, IServiceProvider services, [FromServices] LoginRateLimits rates) =>
        {
            var (command, error) = await HttpResults.ReadAsync<SessionLoginRequest>(request);
            var source = ClientAddress.Of(request.HttpContext);
            if (!rates.TryAttempt(source, command?.UserId))
            {
                // The user id is not validated yet: not written.
                services.GetService<AuditLog>()?.Write("login", "rate-limited", null, source);
                request.HttpContext.Response.Headers.RetryAfter = ((int)LoginRateLimits.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return HttpResults.Problem(StatusCodes.Status429TooManyRequests, LoginRateLimits.RefusedMessage);
            }

            if (error is not null)
            {
                return error;
            }

            if (services.GetService<UserLogin>() is not { } login)
            {
                return HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, "logins are issued by the agent gateway, which is disabled");
            }

            var outcome = await login.LoginAsync(command!.UserId, command.Secret, source, "userId");
            return outcome.Failure switch
            {
                LoginFailure.None => Results.Json(new
                {
                    token = outcome.Token,
                    role = outcome.Principal!.Role,
                    userId = outcome.Principal.UserId,
                    tenantId = outcome.Principal.TenantId,
                    agentId = outcome.Principal.AgentId,
                    expiresAt = outcome.ExpiresAt,
                }, JsonDefaults.Options),
                LoginFailure.InvalidArgument => HttpResults.Problem(StatusCodes.Status400BadRequest, outcome.Message!),
                LoginFailure.LockedOut => HttpResults.Problem(StatusCodes.Status429TooManyRequests, outcome.Message!),
                LoginFailure.WrongSecret => HttpResults.Problem(StatusCodes.Status401Unauthorized, outcome.Message!),
                _ => HttpResults.Problem(StatusCodes.Status409Conflict, outcome.Message!),
            };
        }).AllowAnonymous();

        // Who the request acts as (the page asks before it shows supervisor actions).
        app.MapGet("/api/session", (HttpContext context) =>
        {
            var principal = context.User.RequiredSessionPrincipal();
            return Results.Json(new { userId = principal.UserId, role = principal.Role, tenantId = principal.TenantId }, JsonDefaults.Options);
        }).RequireAuthorization(Policies.Supervisor);

        app.MapGet("/api/wallboard", async (HttpContext context, IGrainFactory grains, [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider time) =>
            Results.Json(await BuildAsync(grains, context.User.RequiredSessionPrincipal(), time), JsonDefaults.Options))
            .RequireAuthorization(Policies.Supervisor);

        // Server-sent events: one snapshot a second until the page goes away.
        // A revoked session's stream ends with an "event: session-ended" (the page then asks for a login).
        app.MapGet("/api/wallboard/stream", async (HttpContext context, IGrainFactory grains, [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider time, IHostApplicationLifetime lifetime, [FromServices] SessionRevocations revocations) =>
        {
            var principal = context.User.RequiredSessionPrincipal();
            using var session = await revocations.WatchAsync(principal);
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping, session.Ended);
            try
            {
                while (!ending.IsCancellationRequested)
                {
                    var snapshot = await BuildAsync(grains, principal, time);
                    await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(snapshot, JsonDefaults.Options)}\n\n", ending.Token);
                    await context.Response.Body.FlushAsync(ending.Token);
                    await Task.Delay(TimeSpan.FromSeconds(1), ending.Token);
                }
            }
            catch (OperationCanceledException) when (ending.IsCancellationRequested)
            {
                // The page closed, the silo is stopping, or the session was revoked.
            }

            if (session.IsRevoked && !context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.WriteAsync($"event: session-ended\ndata: {JsonSerializer.Serialize(new { message = SessionRevocations.EndedMessage }, JsonDefaults.Options)}\n\n", context.RequestAborted);
            }

            return Results.Empty;
        }).RequireAuthorization(Policies.Supervisor);

        // A supervisor (of the agent's tenant) or an admin changes one agent's skills; an agent may not change its own.
        app.MapPut("/api/agents/{id}/skills", async (string id, HttpRequest request, IGrainFactory grains, IServiceProvider services) =>
        {
            var principal = request.HttpContext.User.RequiredSessionPrincipal();
            if (principal.Role is not (UserRole.Supervisor or UserRole.Admin))
            {
                return HttpResults.Problem(StatusCodes.Status403Forbidden, "only a supervisor or an admin changes skills");
            }

            var (command, error) = await HttpResults.ReadAsync<SetSkillsCommand>(request);
            if (error is not null)
            {
                return error;
            }

            var problem = await AgentSkills.SetAsync(grains, id, command!.Skills ?? []);
            var source = request.HttpContext.Connection.RemoteIpAddress?.ToString();
            services.GetService<AuditLog>()?.Write("set-skills", problem is null ? "ok" : "invalid", principal.UserId, source, id);
            return problem is null
                ? Results.Json(new { status = CommandStatus.Ok, message = (string?)null }, JsonDefaults.Options)
                : HttpResults.Problem(StatusCodes.Status400BadRequest, problem);
        }).RequireAuthorization(Policies.OwnAgentOrSupervisor);
    }

    private static async Task<WallboardSnapshot> BuildAsync(IGrainFactory grains, Principal principal, TimeProvider time)
    {
        var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
        var queues = Task.WhenAll(configuration.Queues.Select(q => grains.GetGrain<IQueueGrain>(q.Id).GetStatusAsync()));
        var sites = Task.WhenAll(configuration.Sites.Select(s => grains.GetGrain<ISiteGrain>(s.Id).GetStatusAsync()));
        var agents = Task.WhenAll(configuration.Agents.Select(a => grains.GetGrain<IAgentGrain>(a.Id).GetStatusAsync()));
        var routing = grains.GetGrain<IRoutingViewCacheGrain>(0).GetAsync();
        return WallboardSnapshotBuilder.Build(principal, configuration, await queues, await sites, await agents, await routing, time.GetUtcNow());
    }
}
