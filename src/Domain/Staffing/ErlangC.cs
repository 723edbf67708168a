namespace CallCenter.Domain.Staffing;

/// <summary>The figures Erlang C gives for one staffing level.</summary>
public sealed record ErlangCResult(
    int Agents,
    double ProbabilityOfWaiting,
    double ServiceLevel,
    double AverageSpeedOfAnswerSeconds,
    double Occupancy);

/// <summary>
/// Erlang C (M/M/c) for contact-center staffing. The waiting probability is computed from the Erlang B recursion,
/// which stays numerically stable for hundreds of agents (no factorials or large powers).
/// </summary>
public static class ErlangC
{
    /// <param name="trafficErlangs">Offered load A = arrival rate × average handle time.</param>
    public static double ProbabilityOfWaiting(int agents, double trafficErlangs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        ArgumentOutOfRangeException.ThrowIfNegative(trafficErlangs);
        if (agents == 0 || trafficErlangs >= agents)
        {
            return 1;
        }

        if (trafficErlangs == 0)
        {
            return 0;
        }

        // Erlang B by recursion: B(0) = 1; B(k) = A·B(k-1) / (k + A·B(k-1)).
        var erlangB = 1.0;
        for (var k = 1; k <= agents; k++)
        {
            erlangB = trafficErlangs * erlangB / (k + (trafficErlangs * erlangB));
        }

        var utilisation = trafficErlangs / agents;
        return erlangB / (1 - (utilisation * (1 - erlangB)));
    }

    public static ErlangCResult Evaluate(int agents, double callsPerInterval, double intervalSeconds, double handleSeconds, double thresholdSeconds)
    {
        ValidatePositive(intervalSeconds, nameof(intervalSeconds));
        ValidatePositive(handleSeconds, nameof(handleSeconds));
        ArgumentOutOfRangeException.ThrowIfNegative(callsPerInterval);
        ArgumentOutOfRangeException.ThrowIfNegative(thresholdSeconds);

        var traffic = callsPerInterval / intervalSeconds * handleSeconds;
        var pWait = ProbabilityOfWaiting(agents, traffic);
        if (agents <= traffic)
        {
            return new ErlangCResult(agents, 1, 0, double.PositiveInfinity, 1);
        }

        var serviceLevel = 1 - (pWait * Math.Exp(-(agents - traffic) * thresholdSeconds / handleSeconds));
        var asa = pWait * handleSeconds / (agents - traffic);
        return new ErlangCResult(agents, pWait, serviceLevel, asa, traffic / agents);
    }

    /// <summary>The fewest agents whose service level meets <paramref name="targetServiceLevel"/>.</summary>
    public static ErlangCResult AgentsFor(double callsPerInterval, double intervalSeconds, double handleSeconds, double targetServiceLevel, double thresholdSeconds)
    {
        if (targetServiceLevel is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetServiceLevel), "must be between 0 and 1, exclusive");
        }

        var traffic = callsPerInterval / intervalSeconds * handleSeconds;
        var agents = Math.Max(1, (int)Math.Floor(traffic) + 1);
        while (true)
        {
            var result = Evaluate(agents, callsPerInterval, intervalSeconds, handleSeconds, thresholdSeconds);
            if (result.ServiceLevel >= targetServiceLevel)
            {
                return result;
            }

            agents++;
        }
    }

    /// <summary>Agents to schedule so that, after shrinkage (breaks, training, absence), enough are on the phones.</summary>
    public static int WithShrinkage(int agents, double shrinkage)
    {
        if (shrinkage is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shrinkage), "must be at least 0 and below 1");
        }

        return (int)Math.Ceiling(agents / (1 - shrinkage));
    }

    private static void ValidatePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, "must be a positive number");
        }
    }
}
