using CallCenter.Grains;
using CallCenter.Grains.Contracts;

// In the tests' root namespace so every test calls the timer hooks as before, though they left the public interfaces.
namespace CallCenter.Tests;

/// <summary>
/// Runs a grain's timed work now, as its timer would: tests drive time with the fake contact-center clock and then
/// call this. The hooks are on interfaces internal to the grains (reached through InternalsVisibleTo), so no client can.
/// </summary>
internal static class DueWork
{
    public static Task ProcessDueWorkAsync(this ICallGrain call) => call.AsReference<ICallNotices>().ProcessDueWorkAsync();

    public static Task ProcessDueWorkAsync(this IAgentGrain agent) => agent.AsReference<IAgentReservations>().ProcessDueWorkAsync();

    public static Task ProcessDueWorkAsync(this IQueueGrain queue) => queue.AsReference<IQueueRouting>().ProcessDueWorkAsync();
}
