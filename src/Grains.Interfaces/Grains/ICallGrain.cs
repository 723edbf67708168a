using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// Watchers of a call (the SIP edge carrying its media, agents' desktops): every change of state (an offer, an accept
/// by the agent's desktop, a hold, a transfer, the end) reaches them as a one-way notice with a sequence number and
/// what changed, never the whole timeline.
/// </summary>
[Alias("ICallObserver")]
public interface ICallObserver : IGrainObserver
{
    [Alias("OnCallChanged")]
    void OnCallChanged(CallNotice notice);
}

/// <summary>What an agent's desktop (and the gateway acting for it) does with a call it is offered or holds.</summary>
[Alias("ICallDesk")]
public interface ICallDesk : IGrainWithStringKey
{
    [Alias("AcceptAsync")]
    Task<CommandResult> AcceptAsync(string agentId, long epoch);

    [Alias("RejectAsync")]
    Task<CommandResult> RejectAsync(string agentId, long epoch);

    [Alias("HoldAsync")]
    Task<CommandResult> HoldAsync(string agentId);

    [Alias("ResumeAsync")]
    Task<CommandResult> ResumeAsync(string agentId);

    [Alias("TransferAsync")]
    Task<CommandResult> TransferAsync(TransferRequest request);

    /// <summary>Starts a consult (attended transfer): the caller waits on hold while the agent talks to the target.</summary>
    [Alias("StartConsultAsync")]
    Task<CommandResult> StartConsultAsync(ConsultRequest request);

    /// <summary>Hands the call to the consulted party; the consulting agent leaves the call.</summary>
    [Alias("CompleteConsultAsync")]
    Task<CommandResult> CompleteConsultAsync(string agentId);

    /// <summary>
    /// Ends the consult and gives the caller back to the consulting agent. <paramref name="agentId"/> null: the edge
    /// reports that the consulted party did not answer or hung up.
    /// </summary>
    [Alias("CancelConsultAsync")]
    Task<CommandResult> CancelConsultAsync(string? agentId, string? reason = null);

    [Alias("HangUpAsync")]
    Task<CommandResult> HangUpAsync(CallParty party, string? reason = null);

    [Alias("AttachDataAsync")]
    Task<CommandResult> AttachDataAsync(IReadOnlyDictionary<string, string> data);

    [Alias("AddNoteAsync")]
    Task<CommandResult> AddNoteAsync(string agentId, string note);

    /// <summary>
    /// An agent who handled the call records their disposition (and notes) in wrap-up. Once per agent: the same code
    /// again is AlreadyDone, another code is refused.
    /// </summary>
    [Alias("SetDispositionAsync")]
    Task<CommandResult> SetDispositionAsync(string agentId, string dispositionCode, string? notes);

    /// <summary>Pauses or resumes the recording of a connected call (the edge holding the media follows).</summary>
    [Alias("SetRecordingPausedAsync")]
    Task<CommandResult> SetRecordingPausedAsync(bool paused);

    /// <summary>The call as it is now, with the latest <see cref="CallSnapshot.Timeline"/> entries (the timeline is bounded).</summary>
    [Alias("GetAsync")]
    Task<CallSnapshot> GetAsync();

    /// <summary>Watches the call (the edge carrying it, agents' desktops). Kept in memory only: the edge renews it with <see cref="ICallEdge.EdgeAliveAsync"/>.</summary>
    [Alias("ObserveAsync")]
    Task ObserveAsync(ICallObserver observer);

    [Alias("UnobserveAsync")]
    Task UnobserveAsync(ICallObserver observer);
}

/// <summary>What the SIP edge (or a simulator in its place) that carries the caller does: arrival, IVR, queueing, media.</summary>
[Alias("ICallEdge")]
public interface ICallEdge : IGrainWithStringKey
{
    [Alias("ArriveAsync")]
    Task<CallSnapshot> ArriveAsync(CallArrival arrival);

    [Alias("EnterIvrAsync")]
    Task<CommandResult> EnterIvrAsync();

    /// <summary>Puts the call in a queue; null means the queue of the dialled number's entry point.</summary>
    [Alias("EnqueueAsync")]
    Task<EnqueueResult> EnqueueAsync(string? queueId = null);

    /// <summary>The edge reports the media path is up (only when it manages media).</summary>
    [Alias("MediaConnectedAsync")]
    Task<CommandResult> MediaConnectedAsync();

    /// <summary>The edge reports the consulted party answered.</summary>
    [Alias("ConsultAnsweredAsync")]
    Task<CommandResult> ConsultAnsweredAsync();

    /// <summary>The caller pressed the callback key: a callback keeps the call's place and this call ends.</summary>
    [Alias("RequestCallbackAsync")]
    Task<CommandResult> RequestCallbackAsync();

    /// <summary>Where the waiting call stands in its queue; null when it is not waiting.</summary>
    [Alias("GetQueuePlaceAsync")]
    Task<QueuePlace?> GetQueuePlaceAsync();

    /// <summary>The caller's rating (1 to 5) after the agent hung up; taken once.</summary>
    [Alias("RecordSurveyAsync")]
    Task<CommandResult> RecordSurveyAsync(int rating);

    /// <summary>
    /// The edge carrying this call's media still has it (called every few seconds): re-adds its observer (an activation
    /// that moved silo has none) and renews the edge's lease; the snapshot (with its <see cref="CallSnapshot.Sequence"/>)
    /// lets the edge catch up on a notice it missed. A call whose edge stops renewing for a minute (a crashed edge, a
    /// lost site) is hung up, freeing its agent.
    /// </summary>
    [Alias("EdgeAliveAsync")]
    Task<CallSnapshot> EdgeAliveAsync(ICallObserver edge);
}

/// <summary>
/// One call: the single writer of its state machine, timeline and outcome. Its public surface is the desk's and the
/// edge's roles; the notices queues and agents send it are on an interface internal to the grains, so no client can
/// send them. Awaits go downward only (call → queue → agent), so grains never wait on each other in a cycle.
/// </summary>
[Alias("ICallGrain")]
public interface ICallGrain : ICallDesk, ICallEdge;
