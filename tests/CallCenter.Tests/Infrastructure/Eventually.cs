using System.Diagnostics;
namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that another grain reaches through one-way notices (for example a queue learning that an agent
/// is idle). Bounded, and the failure names the phase and what was expected.
/// </summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string phase, int seconds = 15)
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
                throw new TimeoutException($"{phase}: not reached within {seconds} s");
            }

            await Task.Delay(10);
        }
    }
}
