using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>The bullseye ladder: which stage a call is in after waiting, and which skills that stage asks for.</summary>
public static class Bullseye
{
    /// <summary>The index of the last stage whose start is at or before <paramref name="waitedSeconds"/>.</summary>
    public static int StageIndex(QueueDefinition queue, double waitedSeconds)
    {
        var index = 0;
        for (var i = 0; i < queue.Stages.Count; i++)
        {
            if (queue.Stages[i].AfterSeconds <= waitedSeconds)
            {
                index = i;
            }
        }

        return index;
    }

    public static StageScope ScopeAt(QueueDefinition queue, int stage) =>
        queue.Stages.Count == 0 ? StageScope.AnySite : queue.Stages[Math.Clamp(stage, 0, queue.Stages.Count - 1)].Scope;

    /// <summary>The skills asked for at <paramref name="stage"/>: the nearest earlier stage that overrides them, else the queue's own.</summary>
    public static IReadOnlyList<SkillRequirement> SkillsAt(QueueDefinition queue, int stage)
    {
        for (var i = Math.Min(stage, queue.Stages.Count - 1); i >= 0; i--)
        {
            if (queue.Stages[i].Skills is { } skills)
            {
                return skills;
            }
        }

        return queue.RequiredSkills;
    }
}
