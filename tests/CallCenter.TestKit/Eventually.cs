using System.Diagnostics;
namespace CallCenter.TestKit;

/// <summary>
/// Waits for a condition that another grain reaches through one-way notices (for example a queue learning that an agent
/// is idle). Bounded, and the failure names the phase and what was expected.
/// </summary>
public static class Eventually
{
    /// <param name="detail">What stands in the way, added to the failure message.</param>
    /// <param name="pollEvery">How often to look (10 ms unless the condition is costly, as across processes).</param>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string phase, int seconds = 15, Func<string>? detail = null, TimeSpan? pollEvery = null)
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

            await Task.Delay(pollEvery ?? TimeSpan.FromMilliseconds(10));
        }
    }
}
