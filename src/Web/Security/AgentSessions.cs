using CallCenter.Grains;

namespace CallCenter.Web.Security;

/// <summary>
/// A supervisor's (or admin's) force-logout of an agent also ends the agent's sessions, so the desktop cannot carry on
/// or log the agent straight back in with its token; an agent logging itself out of the queues keeps its session.
/// </summary>
public static class AgentSessions
{
    public static async Task EndForSupervisorAsync(IGrainFactory grains, Principal caller, string agentId)
    {
        if (caller.AgentId == agentId)
        {
            return;
        }

        await grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).RevokeAgentSessionsAsync(agentId);
    }
}
