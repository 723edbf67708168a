using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// One virtual queue shared by every site: the waiting calls in order, the offers in flight (leases),
/// the idle agents that may serve it, and its metrics. Awaits only agents, never calls.
/// What calls and agents tell it (tickets, offers, availability) is on an interface internal to the grains.
/// </summary>
[Alias("callcenter.queue")]
public interface IQueueGrain : IGrainWithStringKey
{
    [Alias("callcenter.queue.configure")]
    Task ConfigureAsync(QueueDefinition definition);

    [Alias("callcenter.queue.get-status")]
    Task<QueueStatus> GetStatusAsync();
}
