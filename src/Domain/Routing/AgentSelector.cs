using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>Rule 3 of routing: among eligible agents the queue's strategy picks one; ties go to the call's own site.</summary>
public static class AgentSelector
{
    /// <param name="roundRobinCursor">The id of the agent the queue picked last (for round robin).</param>
    public static AgentAvailability? Select(
        RoutingStrategy strategy,
        IReadOnlyList<AgentAvailability> eligible,
        QueueTicket call,
        IReadOnlyList<SkillRequirement> skills,
        string? roundRobinCursor)
    {
        if (eligible.Count == 0)
        {
            return null;
        }

        if (strategy == RoutingStrategy.RoundRobin)
        {
            return NextAfter(eligible, roundRobinCursor);
        }

        var best = eligible[0];
        for (var i = 1; i < eligible.Count; i++)
        {
            if (Compare(strategy, eligible[i], best, call, skills) < 0)
            {
                best = eligible[i];
            }
        }

        return best;
    }

    public static int SkillScore(AgentAvailability agent, IReadOnlyList<SkillRequirement> skills)
    {
        var score = 0;
        foreach (var requirement in skills)
        {
            score += agent.ProficiencyIn(requirement.Skill);
        }

        return score;
    }

    /// <summary>Negative when <paramref name="a"/> is the better pick.</summary>
    private static int Compare(RoutingStrategy strategy, AgentAvailability a, AgentAvailability b, QueueTicket call, IReadOnlyList<SkillRequirement> skills)
    {
        var byStrategy = strategy switch
        {
            RoutingStrategy.MostSkilled => SkillScore(b, skills).CompareTo(SkillScore(a, skills)),
            RoutingStrategy.LeastOccupied => a.Occupancy.CompareTo(b.Occupancy),
            _ => a.IdleSince.CompareTo(b.IdleSince),
        };
        if (byStrategy != 0)
        {
            return byStrategy;
        }

        var aLocal = string.Equals(a.SiteId, call.SiteId, StringComparison.Ordinal);
        var bLocal = string.Equals(b.SiteId, call.SiteId, StringComparison.Ordinal);
        if (aLocal != bLocal)
        {
            return aLocal ? -1 : 1;
        }

        var byIdle = a.IdleSince.CompareTo(b.IdleSince);
        return byIdle != 0 ? byIdle : string.CompareOrdinal(a.AgentId, b.AgentId);
    }

    private static AgentAvailability NextAfter(IReadOnlyList<AgentAvailability> eligible, string? cursor)
    {
        AgentAvailability? firstOverall = null;
        AgentAvailability? firstAfterCursor = null;
        foreach (var agent in eligible)
        {
            if (firstOverall is null || string.CompareOrdinal(agent.AgentId, firstOverall.AgentId) < 0)
            {
                firstOverall = agent;
            }

            if (cursor is not null && string.CompareOrdinal(agent.AgentId, cursor) > 0
                && (firstAfterCursor is null || string.CompareOrdinal(agent.AgentId, firstAfterCursor.AgentId) < 0))
            {
                firstAfterCursor = agent;
            }
        }

        return firstAfterCursor ?? firstOverall!;
    }
}
