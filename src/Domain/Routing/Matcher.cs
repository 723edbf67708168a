using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>A proposed pairing of a waiting call with an idle agent, at the call's current bullseye stage.</summary>
public sealed record Match(QueueTicket Call, AgentAvailability Agent, int Stage);

/// <summary>
/// Pairs waiting calls with idle agents: calls in priority order (the oldest, highest-priority eligible call first),
/// each given the agent the queue's strategy picks among those eligible at the call's stage.
/// </summary>
public static class Matcher
{
    public static List<Match> Propose(
        QueueDefinition queue,
        IEnumerable<QueueTicket> waitingWithoutOffer,
        IReadOnlyCollection<AgentAvailability> idleAgents,
        DateTimeOffset now,
        string? roundRobinCursor)
    {
        var matches = new List<Match>();
        if (idleAgents.Count == 0)
        {
            return matches;
        }

        var free = idleAgents.ToList();
        var eligible = new List<AgentAvailability>();
        foreach (var call in CallOrdering.Order(queue, waitingWithoutOffer, now))
        {
            if (free.Count == 0)
            {
                break;
            }

            var waited = Math.Max(0, (now - call.EnqueuedAt).TotalSeconds);
            var stage = Bullseye.StageIndex(queue, waited);
            var chosen = LastAgentIfWaitingForIt(queue, call, waited, free, stage, out var waitForLastAgent);
            if (chosen is null && !waitForLastAgent)
            {
                eligible.Clear();
                foreach (var agent in free)
                {
                    if (Eligibility.IsEligible(queue, call, stage, agent))
                    {
                        eligible.Add(agent);
                    }
                }

                chosen = AgentSelector.Select(queue.Strategy, eligible, call, Bullseye.SkillsAt(queue, stage), roundRobinCursor);
            }

            if (chosen is null)
            {
                continue;
            }

            free.Remove(chosen);
            matches.Add(new Match(call, chosen, stage));
            if (queue.Strategy == RoutingStrategy.RoundRobin)
            {
                roundRobinCursor = chosen.AgentId;
            }
        }

        return matches;
    }

    /// <summary>
    /// "Last agent first": while the call is inside the queue's window, only the customer's last agent may take it,
    /// whenever that agent is idle and still qualified; otherwise the call waits for them.
    /// </summary>
    private static AgentAvailability? LastAgentIfWaitingForIt(
        QueueDefinition queue, QueueTicket call, double waited, List<AgentAvailability> free, int stage, out bool waitForLastAgent)
    {
        waitForLastAgent = false;
        if (call.TargetAgentId is not null || call.LastAgentId is null || waited >= queue.LastAgentFirstSeconds)
        {
            return null;
        }

        waitForLastAgent = true;
        foreach (var agent in free)
        {
            if (string.Equals(agent.AgentId, call.LastAgentId, StringComparison.Ordinal)
                && Eligibility.SameTenantOrSharedPool(queue, call, agent)
                && agent.FreeChannels.Contains(queue.Channel)
                && Eligibility.HasSkills(Bullseye.SkillsAt(queue, stage), agent))
            {
                return agent;
            }
        }

        return null;
    }
}
