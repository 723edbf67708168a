namespace CallCenter.Domain.Metrics;

/// <summary>
/// A quick estimate of how long the next caller will wait: the calls ahead of it, served by the agents who can take them,
/// at the queue's average handle time. Cheap enough to compute every second for every queue and site.
/// </summary>
public static class ExpectedWait
{
    public const double DefaultHandleSeconds = 180;

    public static double Seconds(int callsAhead, int servingAgents, double? averageHandleSeconds, int idleAgents)
    {
        if (idleAgents > callsAhead)
        {
            return 0;
        }

        var handle = averageHandleSeconds is > 0 ? averageHandleSeconds.Value : DefaultHandleSeconds;
        return (callsAhead + 1 - idleAgents) * handle / Math.Max(1, servingAgents);
    }
}
