using System.Diagnostics;

namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// Waits for a condition the cluster reaches through its own timers and one-way notices (a silo declared dead, a queue
/// re-learning its agents). Bounded and generous, and the failure names the phase and what was expected.
/// </summary>
public static class Eventually
{
    /// <param name="detail">What stands in the way, added to the failure message.</param>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string phase, int seconds = 60, Func<string>? detail = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{phase}: not reached within {seconds} s" + (detail is null ? string.Empty : $"\n{detail()}"));
            }

            await Task.Delay(100);
        }
    }
}
