using System.Collections.Concurrent;

namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// Observes reminder ticks in every silo of a test cluster (an incoming grain call filter): a test awaits the next tick
/// of a grain instead of sleeping through a reminder period.
/// </summary>
public sealed class ReminderTicks : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<GrainId, TaskCompletionSource> _next = new();

    /// <summary>Completes after the next reminder tick of <paramref name="grain"/> that ends after this call.</summary>
    public async Task NextAsync(IAddressable grain, string phase, int seconds = 60)
    {
        var next = _next.GetOrAdd(grain.GetGrainId(), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await next.Task.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: no reminder tick of {grain.GetGrainId()} within {seconds} s");
        }
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.Grain is IRemindable && context.InterfaceMethod?.Name == nameof(IRemindable.ReceiveReminder)
            && _next.TryRemove(context.TargetId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }
}
