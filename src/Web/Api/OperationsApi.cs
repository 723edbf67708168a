using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;
using CallCenter.Web.Hosting;

namespace CallCenter.Web.Api;

/// <summary>Requests the HTTP API takes for calls and agents.</summary>
internal sealed record NewCallRequest(string SiteId, string? DialledNumber, string? QueueId, string? CallerNumber, string? CallId, string? TenantId);

internal sealed record OfferCommand(string AgentId, long Epoch);

internal sealed record NotReadyCommand(string ReasonCode);

internal sealed record HangUpCommand(CallParty Party);

internal sealed record AgentCommand(string AgentId);

/// <summary>
/// Live state and commands over HTTP: queues, the routing view, sites, agents and calls. The agent desktop's own
/// protocol is gRPC; this API serves operators, the wallboard and scripted demos.
/// </summary>
internal static class OperationsApi
{
    public static void MapOperationsApi(this IEndpointRouteBuilder app)
    {
        // Live state is filtered to the caller's tenant (AccessPolicy.SeesTenant); another tenant's queue or site is
        // "not found", like one that does not exist, so ids cannot be probed.
        var views = app.MapGroup("").RequireAuthorization(Policies.Supervisor);
        views.MapGet("/api/routing-view", async (HttpContext context, IGrainFactory grains) =>
        {
            var principal = context.User.RequiredSessionPrincipal();
            var view = await grains.GetGrain<IRoutingViewCacheGrain>(0).GetAsync();
            return Results.Json(view with { Queues = view.Queues.Where(row => AccessPolicy.SeesTenant(principal, row.TenantId)).ToList() }, JsonDefaults.Options);
        });
        views.MapGet("/api/queues", async (HttpContext context, IGrainFactory grains) =>
        {
            var principal = context.User.RequiredSessionPrincipal();
            var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
            var visible = configuration.Queues.Where(queue => AccessPolicy.SeesTenant(principal, queue.TenantId));
            var statuses = await Task.WhenAll(visible.Select(queue => grains.GetGrain<IQueueGrain>(queue.Id).GetStatusAsync()));
            return Results.Json(statuses, JsonDefaults.Options);
        });
        views.MapGet("/api/queues/{id}", async (string id, HttpContext context, IGrainFactory grains) =>
        {
            var status = await grains.GetGrain<IQueueGrain>(id).GetStatusAsync();
            return status.Definition is { } definition && AccessPolicy.SeesTenant(context.User.RequiredSessionPrincipal(), definition.TenantId)
                ? Results.Json(status, JsonDefaults.Options)
                : HttpResults.Problem(404, $"no queue '{id}'");
        });
        views.MapGet("/api/sites/{id}", async (string id, HttpContext context, IGrainFactory grains) =>
        {
            var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
            return configuration.Sites.FirstOrDefault(site => site.Id == id) is { } site && AccessPolicy.SeesTenant(context.User.RequiredSessionPrincipal(), site.TenantId)
                ? Results.Json(await grains.GetGrain<ISiteGrain>(id).GetStatusAsync(), JsonDefaults.Options)
                : HttpResults.Problem(404, $"no site '{id}'");
        });

        var agents = app.MapGroup("/api/agents/{id}").RequireAuthorization(Policies.OwnAgentOrSupervisor);
        agents.MapGet("", async (string id, IGrainFactory grains) =>
        {
            var status = await grains.GetGrain<IAgentGrain>(id).GetStatusAsync();
            return status.Definition is null ? HttpResults.Problem(404, $"no agent '{id}'") : Results.Json(status, JsonDefaults.Options);
        });
        agents.MapPost("/login", async (string id, IGrainFactory grains) => HttpResults.From(await grains.GetGrain<IAgentGrain>(id).LoginAsync()));
        agents.MapPost("/logout", async (string id, HttpContext context, IGrainFactory grains) =>
        {
            var result = await grains.GetGrain<IAgentGrain>(id).LogoutAsync();
            await AgentSessions.EndForSupervisorAsync(grains, context.User.RequiredSessionPrincipal(), id);
            return HttpResults.From(result);
        });
        agents.MapPost("/available", async (string id, IGrainFactory grains) => HttpResults.From(await grains.GetGrain<IAgentGrain>(id).SetAvailableAsync()));
        agents.MapPost("/wrap-up/complete", async (string id, IGrainFactory grains) => HttpResults.From(await grains.GetGrain<IAgentGrain>(id).CompleteWrapUpAsync()));
        agents.MapPost("/not-ready", async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<NotReadyCommand>(request);
            return error ?? HttpResults.From(await grains.GetGrain<IAgentGrain>(id).SetNotReadyAsync(command!.ReasonCode));
        });

        // New calls come from edges and trunks; over HTTP they are an operator's test calls.
        app.MapPost("/api/calls", async (HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<NewCallRequest>(request);
            if (error is not null)
            {
                return error;
            }

            if (!HttpResults.IsValidId(command!.SiteId) || (command.CallId is not null && !HttpResults.IsValidId(command.CallId)))
            {
                return HttpResults.Problem(400, "siteId (and callId when given) must be 1 to 128 printable characters");
            }

            var call = grains.GetGrain<ICallGrain>(command.CallId ?? CallIds.New(command.SiteId));
            await call.ArriveAsync(new CallArrival
            {
                SiteId = command.SiteId,
                TenantId = command.TenantId ?? TenantDefinition.DefaultTenantId,
                DialledNumber = command.DialledNumber,
                CallerNumber = command.CallerNumber,
            });
            var queued = await call.EnqueueAsync(command.QueueId);
            return queued.Status switch
            {
                EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued => Results.Json(await call.GetAsync(), JsonDefaults.Options, statusCode: 201),
                EnqueueStatus.UnknownQueue => HttpResults.Problem(400, queued.Message ?? "unknown queue"),
                _ => Results.Json(await call.GetAsync(), JsonDefaults.Options, statusCode: 200),
            };
        }).RequireAuthorization(Policies.Admin);

        // Each route checks the shared call policy; a command naming an agent must name the caller when it is an agent.
        var calls = app.MapGroup("/api/calls/{id}");
        calls.MapGet("", async (string id, IGrainFactory grains) => Results.Json(await grains.GetGrain<ICallGrain>(id).GetAsync(), JsonDefaults.Options))
            .RequireAuthorization(Policies.Call(CallAccess.Read));
        calls.MapPost("/accept", (string id, HttpRequest request, IGrainFactory grains) =>
            OfferCommandAsync(request, command => grains.GetGrain<ICallGrain>(id).AcceptAsync(command.AgentId, command.Epoch)))
            .RequireAuthorization(Policies.Call(CallAccess.Answer));
        calls.MapPost("/reject", (string id, HttpRequest request, IGrainFactory grains) =>
            OfferCommandAsync(request, command => grains.GetGrain<ICallGrain>(id).RejectAsync(command.AgentId, command.Epoch)))
            .RequireAuthorization(Policies.Call(CallAccess.Answer));
        calls.MapPost("/hangup", async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<HangUpCommand>(request);
            return error ?? HttpResults.From(await grains.GetGrain<ICallGrain>(id).HangUpAsync(command!.Party));
        }).RequireAuthorization(Policies.Call(CallAccess.Control));
        calls.MapPost("/transfer", async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<TransferRequest>(request);
            return error ?? await HttpAuthorization.ForbidOtherAgentAsync(request.HttpContext, command!.RequestedByAgentId)
                ?? HttpResults.From(await grains.GetGrain<ICallGrain>(id).TransferAsync(command));
        }).RequireAuthorization(Policies.Call(CallAccess.Control));
        MapAgentCommand(calls, "/hold", (call, agentId) => call.HoldAsync(agentId));
        MapAgentCommand(calls, "/resume", (call, agentId) => call.ResumeAsync(agentId));

        // Attended transfer: the agent consults a colleague (agent id) or a partner expert (URI) while the caller waits.
        calls.MapPost("/consult", async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<ConsultRequest>(request);
            return error ?? await HttpAuthorization.ForbidOtherAgentAsync(request.HttpContext, command!.AgentId)
                ?? HttpResults.From(await grains.GetGrain<ICallGrain>(id).StartConsultAsync(command));
        }).RequireAuthorization(Policies.Call(CallAccess.Control));
        MapAgentCommand(calls, "/consult/complete", (call, agentId) => call.CompleteConsultAsync(agentId));
        MapAgentCommand(calls, "/consult/cancel", (call, agentId) => call.CancelConsultAsync(agentId));

        // Recording pauses while the caller reads a card number; the edge carrying the media follows the call.
        calls.MapPost("/recording/pause", async (string id, IGrainFactory grains) =>
            HttpResults.From(await grains.GetGrain<ICallGrain>(id).SetRecordingPausedAsync(true)))
            .RequireAuthorization(Policies.Call(CallAccess.Control));
        calls.MapPost("/recording/resume", async (string id, IGrainFactory grains) =>
            HttpResults.From(await grains.GetGrain<ICallGrain>(id).SetRecordingPausedAsync(false)))
            .RequireAuthorization(Policies.Call(CallAccess.Control));
    }

    /// <summary>A call command with body <c>{agentId}</c>.</summary>
    private static void MapAgentCommand(RouteGroupBuilder calls, string pattern, Func<ICallGrain, string, Task<CommandResult>> run) =>
        calls.MapPost(pattern, async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var (command, error) = await HttpResults.ReadAsync<AgentCommand>(request);
            return error ?? await HttpAuthorization.ForbidOtherAgentAsync(request.HttpContext, command!.AgentId)
                ?? HttpResults.From(await run(grains.GetGrain<ICallGrain>(id), command.AgentId));
        }).RequireAuthorization(Policies.Call(CallAccess.Control));

    private static async Task<IResult> OfferCommandAsync(HttpRequest request, Func<OfferCommand, Task<CommandResult>> run)
    {
        var (command, error) = await HttpResults.ReadAsync<OfferCommand>(request);
        return error ?? await HttpAuthorization.ForbidOtherAgentAsync(request.HttpContext, command!.AgentId) ?? HttpResults.From(await run(command));
    }
}
