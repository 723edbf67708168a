using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;
using CallCenter.Web.Hosting;

namespace CallCenter.Web.Api;

/// <summary>
/// The admin API: the configuration as one document, and single queues and agents merged into it. Every change is
/// validated whole by the configuration grain; an invalid one returns 400 with each field and nothing is applied.
/// </summary>
internal static class AdminApi
{
    public static void MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(Policies.Admin);
        admin.MapGet("/config", async (IGrainFactory grains) => Results.Json(await Configuration(grains).GetAsync(), JsonDefaults.Options));
        admin.MapPut("/config", async (HttpRequest request, IGrainFactory grains) =>
        {
            var (configuration, error) = await HttpResults.ReadAsync<ContactCenterConfiguration>(request);
            return error ?? await ApplyAsync(grains, configuration!);
        });
        admin.MapPut("/queues/{id}", (string id, HttpRequest request, IGrainFactory grains) =>
            UpsertAsync<QueueDefinition>(id, request, grains, queue => queue.Id, (config, queue) => config with
            {
                Queues = Replace(config.Queues, queue, q => q.Id),
            }));
        admin.MapPut("/agents/{id}", (string id, HttpRequest request, IGrainFactory grains) =>
            UpsertAsync<AgentDefinition>(id, request, grains, agent => agent.Id, (config, agent) => config with
            {
                Agents = Replace(config.Agents, agent, a => a.Id),
            }));
        admin.MapDelete("/agents/{id}", async (string id, IGrainFactory grains) =>
        {
            var current = await Configuration(grains).GetAsync();
            return current.Agents.Any(agent => agent.Id == id)
                ? await ApplyAsync(grains, current with { Agents = current.Agents.Where(agent => agent.Id != id).ToList() })
                : HttpResults.Problem(StatusCodes.Status404NotFound, $"no agent '{id}'");
        });
        admin.MapDelete("/queues/{id}", async (string id, IGrainFactory grains) =>
        {
            var current = await Configuration(grains).GetAsync();
            return current.Queues.Any(queue => queue.Id == id)
                ? await ApplyAsync(grains, current with { Queues = current.Queues.Where(queue => queue.Id != id).ToList() })
                : HttpResults.Problem(StatusCodes.Status404NotFound, $"no queue '{id}'");
        });
        app.MapPhoneAccountsApi();
    }

    private static async Task<IResult> UpsertAsync<T>(
        string id, HttpRequest request, IGrainFactory grains, Func<T, string> idOf, Func<ContactCenterConfiguration, T, ContactCenterConfiguration> merge)
        where T : class
    {
        var (item, error) = await HttpResults.ReadAsync<T>(request);
        if (error is not null)
        {
            return error;
        }

        if (idOf(item!) != id)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, $"id: the body's id '{idOf(item!)}' differs from '{id}' in the path");
        }

        var current = await Configuration(grains).GetAsync();
        return await ApplyAsync(grains, merge(current, item!));
    }

    private static async Task<IResult> ApplyAsync(IGrainFactory grains, ContactCenterConfiguration configuration)
    {
        var result = await Configuration(grains).ApplyAsync(configuration);
        return result.Applied
            ? Results.Json(new { version = result.Version }, JsonDefaults.Options)
            : Results.Json(new { error = "invalid configuration; nothing was applied", errors = result.Errors }, JsonDefaults.Options, statusCode: StatusCodes.Status400BadRequest);
    }

    private static List<T> Replace<T>(IReadOnlyList<T> items, T item, Func<T, string> idOf)
    {
        var list = items.ToList();
        var index = list.FindIndex(existing => idOf(existing) == idOf(item));
        if (index >= 0)
        {
            list[index] = item;
        }
        else
        {
            list.Add(item);
        }

        return list;
    }

    private static IConfigurationGrain Configuration(IGrainFactory grains) => grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
}
