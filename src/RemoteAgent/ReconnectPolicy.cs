namespace CallCenter.RemoteAgent;

/// <summary>
/// Exponential backoff between attempts to reopen the event stream. The server keeps a dropped session for a grace
/// period, so the first retries come quickly; jitter spreads a crowd of desktops reconnecting after one outage.
/// </summary>
public sealed record ReconnectPolicy
{
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    public double Multiplier { get; init; } = 2;

    /// <summary>Consecutive failed attempts after which the desktop gives up.</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Up to this fraction of each delay is added at random.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>The wait before reconnect attempt <paramref name="attempt"/> (1 for the first).</summary>
    public TimeSpan DelayBefore(int attempt, Random random)
    {
        var seconds = InitialDelay.TotalSeconds * Math.Pow(Multiplier, Math.Max(0, attempt - 1));
        seconds = Math.Min(seconds, MaxDelay.TotalSeconds);
        seconds += seconds * Jitter * random.NextDouble();
        return TimeSpan.FromSeconds(seconds);
    }
}
