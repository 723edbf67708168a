using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// One call: the single writer of its state machine, timeline and outcome.
/// Awaits go downward only (call → queue → agent), so grains never wait on each other in a cycle;
/// queues tell calls about offers and overflow by one-way notices.
/// </summary>
[Alias("ICallGrain")]
public interface ICallGrain : IGrainWithStringKey
{
    [Alias("ArriveAsync")]
    Task<CallSnapshot> ArriveAsync(CallArrival arrival);

    [Alias("EnterIvrAsync")]
    Task<CommandResult> EnterIvrAsync();

    [Alias("AttachDataAsync")]
    Task<CommandResult> AttachDataAsync(IReadOnlyDictionary<string, string> data);

    /// <summary>Puts the call in a queue; null means the queue of the dialled number's entry point.</summary>
    [Alias("EnqueueAsync")]
    Task<EnqueueResult> EnqueueAsync(string? queueId = null);

    [Alias("AcceptAsync")]
    Task<CommandResult> AcceptAsync(string agentId, long epoch);

    [Alias("RejectAsync")]
    Task<CommandResult> RejectAsync(string agentId, long epoch);

    /// <summary>The edge reports the media path is up (only when it manages media).</summary>
    [Alias("MediaConnectedAsync")]
    Task<CommandResult> MediaConnectedAsync();

    [Alias("HoldAsync")]
    Task<CommandResult> HoldAsync(string agentId);

    [Alias("ResumeAsync")]
    Task<CommandResult> ResumeAsync(string agentId);

    [Alias("TransferAsync")]
    Task<CommandResult> TransferAsync(TransferRequest request);

    [Alias("HangUpAsync")]
    Task<CommandResult> HangUpAsync(CallParty party, string? reason = null);

    [Alias("AddNoteAsync")]
    Task<CommandResult> AddNoteAsync(string agentId, string note);

    [Alias("GetAsync")]
    Task<CallSnapshot> GetAsync();

    /// <summary>Starts a callback that keeps the place of <paramref name="original"/> in a queue.</summary>
    [Alias("StartCallbackAsync")]
    Task StartCallbackAsync(CallSnapshot original, QueueTicket ticket, string queueId);

    [OneWay, Alias("OfferedAsync")]
    Task OfferedAsync(OfferLease lease);

    [OneWay, Alias("OfferWithdrawnAsync")]
    Task OfferWithdrawnAsync(OfferLease lease, CallEventKind why);

    [OneWay, Alias("OverflowedAsync")]
    Task OverflowedAsync(OverflowNotice notice);
}
