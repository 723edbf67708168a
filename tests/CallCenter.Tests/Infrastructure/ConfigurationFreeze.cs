using CallCenter.Grains;

namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// Fault injection for the in-process cluster: while frozen, every call to the configuration grain waits (as it would
/// on a SIGSTOPped silo) until <see cref="Thaw"/>. Registered in every silo of <see cref="ClusterFixture"/>.
/// </summary>
public sealed class ConfigurationFreeze : IIncomingGrainCallFilter
{
    private volatile TaskCompletionSource? _frozen;

    public void Freeze() => _frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Thaw() => Interlocked.Exchange(ref _frozen, null)?.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (_frozen is { } frozen && context.Grain is IConfigurationGrain)
        {
            await frozen.Task;
        }

        await context.Invoke();
    }
}
