using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// One virtual queue shared by every site: the waiting calls in order, the offers in flight (leases),
/// the idle agents that may serve it, and its metrics. Awaits only agents, never calls.
/// </summary>
[Alias("IQueueGrain")]
public interface IQueueGrain : IGrainWithStringKey
{
    [Alias("ConfigureAsync")]
    Task ConfigureAsync(QueueDefinition definition);

    [Alias("EnqueueAsync")]
    Task<EnqueueResult> EnqueueAsync(QueueTicket ticket);

    /// <summary>The call left (hang-up, transfer): withdraws any offer. Returns false if the call was not here.</summary>
    [Alias("RemoveAsync")]
    Task<bool> RemoveAsync(string callId, CallEventKind why);

    [Alias("ConfirmAcceptAsync")]
    Task<CommandResult> ConfirmAcceptAsync(string callId, string agentId, long epoch);

    [Alias("RejectOfferAsync")]
    Task<CommandResult> RejectOfferAsync(string callId, string agentId, long epoch);

    /// <summary>The agent gave the offer back (logged out or went NotReady while reserved): the call returns to its place.</summary>
    [OneWay, Alias("ReturnOfferAsync")]
    Task ReturnOfferAsync(string callId, string agentId, long epoch);

    [Alias("ContainsAsync")]
    Task<bool> ContainsAsync(string callId);

    [OneWay, Alias("AgentAvailableAsync")]
    Task AgentAvailableAsync(AgentAvailability agent);

    [OneWay, Alias("AgentUnavailableAsync")]
    Task AgentUnavailableAsync(string agentId, long presenceVersion);

    [OneWay, Alias("RecordHandledAsync")]
    Task RecordHandledAsync(HandledCall call);

    /// <summary>Expires leases, applies overflow and widened bullseye stages that are due by the contact-center clock, then matches. Idempotent; the grain's timer calls it.</summary>
    [Alias("ProcessDueWorkAsync")]
    Task ProcessDueWorkAsync();

    [Alias("GetStatusAsync")]
    Task<QueueStatus> GetStatusAsync();

    /// <summary>The call's position (1 = next) and expected wait; null when the call is not waiting here.</summary>
    [Alias("GetPlaceAsync")]
    Task<QueuePlace?> GetPlaceAsync(string callId);

    /// <summary>The caller asked to be called back: a callback takes the call's place (same enqueue time and priority).</summary>
    [Alias("ConvertToCallbackAsync")]
    Task<bool> ConvertToCallbackAsync(string callId);
}
