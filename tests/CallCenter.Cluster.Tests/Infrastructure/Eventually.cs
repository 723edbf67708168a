namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// The kit's wait, with the cluster's defaults: a minute (conditions reached through timers, failure detection and
/// one-way notices across processes) and a look every 100 ms (each look is a round of calls to the silos).
/// </summary>
public static class Eventually
{
    public static Task HoldsAsync(Func<Task<bool>> condition, string phase, int seconds = 60, Func<string>? detail = null) =>
        TestKit.Eventually.HoldsAsync(condition, phase, seconds, detail, TimeSpan.FromMilliseconds(100));
}
