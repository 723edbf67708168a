using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Web.Gateway;

/// <summary>
/// A supervisor's skill change for one agent, shared by the gRPC Supervisor service and the wallboard's HTTP endpoint:
/// checked, then applied through the configuration grain (validated whole; only that agent's skills change).
/// </summary>
public static class AgentSkills
{
    /// <summary>Null when applied; otherwise what was wrong (nothing changed then).</summary>
    public static async Task<string?> SetAsync(IGrainFactory grains, string agentId, IReadOnlyList<SkillLevel> skills)
    {
        if (skills.Any(s => string.IsNullOrWhiteSpace(s.Skill) || s.Proficiency is < 1 or > 10))
        {
            return "each skill needs a name and a level from 1 to 10";
        }

        var configurationGrain = grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        var configuration = await configurationGrain.GetAsync();
        if (configuration.Agents.All(a => a.Id != agentId))
        {
            return $"no agent '{agentId}' in the configuration";
        }

        var changed = configuration with
        {
            Agents = configuration.Agents.Select(a => a.Id == agentId ? a with { Skills = skills.ToList() } : a).ToList(),
        };
        var applied = await configurationGrain.ApplyAsync(changed);
        return applied.Applied ? null : string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}"));
    }
}
