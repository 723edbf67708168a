using CallCenter.Domain;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>Supervisor operations over gRPC (the "supervisor" policy): the supervisor's own tenant (an admin's: every tenant), audited.</summary>
[Authorize(Policy = Policies.Supervisor)]
internal sealed class SupervisorService(
    IGrainFactory grains,
    GatewayAuthorization security,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider time) : Proto.Supervisor.SupervisorBase
{
    [AuditAction("list-agents")]
    public override async Task<Proto.AgentList> ListAgents(Proto.ListAgentsRequest request, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        var configuration = await Configuration().GetAsync();
        var list = new Proto.AgentList();
        foreach (var definition in configuration.Agents.Where(a => Visible(principal, a.TenantId) && (request.SiteId.Length == 0 || a.SiteId == request.SiteId)))
        {
            var status = await grains.GetGrain<IAgentGrain>(definition.Id).GetStatusAsync();
            var summary = new Proto.AgentSummary
            {
                AgentId = definition.Id,
                Name = definition.Name,
                SiteId = definition.SiteId,
                TenantId = definition.TenantId,
                State = ProtoMapping.ToProto(status.Presence.State),
                ReasonCode = status.Presence.ReasonCode ?? "",
                PartnerOrganization = definition.PartnerOrganization ?? "",
            };
            summary.Skills.Add(definition.Skills.Select(s => new Proto.Skill { Name = s.Skill, Level = s.Proficiency }));
            summary.CallIds.Add(status.Calls.Select(c => c.CallId));
            list.Agents.Add(summary);
        }

        return list;
    }

    [AuditAction("list-queues")]
    public override async Task<Proto.QueueList> ListQueues(Proto.ListQueuesRequest request, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        var configuration = await Configuration().GetAsync();
        var list = new Proto.QueueList();
        foreach (var queue in configuration.Queues.Where(q => Visible(principal, q.TenantId)))
        {
            var status = await grains.GetGrain<IQueueGrain>(queue.Id).GetStatusAsync();
            list.Queues.Add(new Proto.QueueSummary
            {
                QueueId = queue.Id,
                Name = queue.Name,
                Waiting = status.Waiting.Count,
                IdleAgents = status.IdleAgents,
                LongestWaitSeconds = status.Waiting.Count == 0 ? 0 : status.Waiting.Max(w => Math.Max(0, (time.GetUtcNow() - w.EnqueuedAt).TotalSeconds)),
            });
        }

        return list;
    }

    [AuditAction("force-not-ready")]
    public override async Task<Proto.CommandReply> ForceNotReady(Proto.ForceRequest request, ServerCallContext context)
    {
        var (principal, agent) = await AuthorizeAgentAsync(request.AgentId, context);
        var reason = string.IsNullOrWhiteSpace(request.ReasonCode) ? ReasonCodes.ForcedBySupervisor : request.ReasonCode;
        var result = await agent.SetNotReadyAsync(reason);
        security.Audit.Write("force-not-ready", result.Status.ToString(), principal.UserId, context.Peer, request.AgentId);
        return GatewayReplies.Reply(result);
    }

    [AuditAction("force-logout")]
    public override async Task<Proto.CommandReply> ForceLogout(Proto.ForceRequest request, ServerCallContext context)
    {
        var (principal, agent) = await AuthorizeAgentAsync(request.AgentId, context);
        var result = await agent.LogoutAsync();
        await AgentSessions.EndForSupervisorAsync(grains, principal, request.AgentId);
        security.Audit.Write("force-logout", result.Status.ToString(), principal.UserId, context.Peer, request.AgentId);
        return GatewayReplies.Reply(result);
    }

    [AuditAction("set-skills")]
    public override async Task<Proto.CommandReply> SetSkills(Proto.SetSkillsRequest request, ServerCallContext context)
    {
        var (principal, _) = await AuthorizeAgentAsync(request.AgentId, context);
        var error = await AgentSkills.SetAsync(grains, request.AgentId, request.Skills.Select(s => new SkillLevel(s.Name, s.Level)).ToList());
        if (error is not null)
        {
            security.Audit.Write("set-skills", "invalid", principal.UserId, context.Peer, request.AgentId);
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        }

        security.Audit.Write("set-skills", "ok", principal.UserId, context.Peer, request.AgentId);
        return new Proto.CommandReply();
    }

    [AuditAction("message")]
    public override async Task<Proto.CommandReply> SendMessage(Proto.SupervisorMessageRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > GatewayOptions.MaxMessageLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"text must be 1 to {GatewayOptions.MaxMessageLength} characters"));
        }

        var (principal, agent) = await AuthorizeAgentAsync(request.AgentId, context);
        await agent.SendMessageAsync(principal.UserId, request.Text);
        return new Proto.CommandReply();
    }

    private static bool Visible(Principal principal, string tenantId) => AccessPolicy.SeesTenant(principal, tenantId);

    /// <summary>The caller and the agent, once the agent is known and of a tenant the caller supervises.</summary>
    private async Task<(Principal Principal, IAgentGrain Agent)> AuthorizeAgentAsync(string agentId, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        GatewayReplies.RequireId(agentId, "agent_id");
        var agent = grains.GetGrain<IAgentGrain>(agentId);
        var definition = (await agent.GetStatusAsync()).Definition
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no agent '{agentId}'"));
        await security.RequireAsync(context, new TenantResource(definition.TenantId), new SameTenantRequirement());
        return (principal, agent);
    }

    private IConfigurationGrain Configuration() => grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
}
