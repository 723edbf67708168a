using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>Rule 1 of routing: whether an idle agent may take a waiting call at a bullseye stage.</summary>
public static class Eligibility
{
    public static bool IsEligible(QueueDefinition queue, QueueTicket call, int stage, AgentAvailability agent)
    {
        if (!agent.FreeChannels.Contains(queue.Channel) || !SameTenantOrSharedPool(queue, call, agent)
            || (call.RequiresPhone && !agent.HasPhone))
        {
            return false;
        }

        if (call.TargetAgentId is not null)
        {
            // A transfer to a named agent goes to that agent only, whatever the stage and skills.
            return string.Equals(call.TargetAgentId, agent.AgentId, StringComparison.Ordinal);
        }

        if (!ScopeAdmits(queue, call, Bullseye.ScopeAt(queue, stage), agent))
        {
            return false;
        }

        return HasSkills(Bullseye.SkillsAt(queue, stage), agent);
    }

    public static bool SameTenantOrSharedPool(QueueDefinition queue, QueueTicket call, AgentAvailability agent) =>
        string.Equals(agent.TenantId, call.TenantId, StringComparison.Ordinal)
        || queue.SharedPoolTenants.Contains(agent.TenantId, StringComparer.Ordinal);

    public static bool HasSkills(IReadOnlyList<SkillRequirement> requirements, AgentAvailability agent)
    {
        foreach (var requirement in requirements)
        {
            if (agent.ProficiencyIn(requirement.Skill) < requirement.MinimumProficiency)
            {
                return false;
            }
        }

        return true;
    }

    private static bool ScopeAdmits(QueueDefinition queue, QueueTicket call, StageScope scope, AgentAvailability agent)
    {
        if (agent.Kind == AgentKind.PartnerExpert)
        {
            // Partner experts take only calls of queues entitled to their organisation, and only from the partner stage on.
            return scope == StageScope.PartnerExperts
                && agent.PartnerOrganization is not null
                && queue.EntitledPartners.Contains(agent.PartnerOrganization, StringComparer.Ordinal);
        }

        return scope switch
        {
            StageScope.OwnSite => string.Equals(agent.SiteId, call.SiteId, StringComparison.Ordinal),
            _ => true,
        };
    }
}
