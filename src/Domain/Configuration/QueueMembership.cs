using CallCenter.Model;

namespace CallCenter.Domain.Configuration;

/// <summary>
/// The queues an agent tells about its availability: every queue of its tenant, and every queue that shares its tenant's pool.
/// Skills and stages are checked by the queue at match time, so a transfer to a named agent reaches them in any of those queues.
/// </summary>
public static class QueueMembership
{
    public static IReadOnlyList<string> CandidateQueues(AgentDefinition agent, IEnumerable<QueueDefinition> queues) =>
        queues
            .Where(queue => queue.TenantId == agent.TenantId || queue.SharedPoolTenants.Contains(agent.TenantId, StringComparer.Ordinal))
            .Where(queue => agent.CapacityFor(queue.Channel) > 0)
            .Where(queue => agent.Kind != AgentKind.PartnerExpert
                || (agent.PartnerOrganization is not null && queue.EntitledPartners.Contains(agent.PartnerOrganization, StringComparer.Ordinal)))
            .Select(queue => queue.Id)
            .ToList();
}
