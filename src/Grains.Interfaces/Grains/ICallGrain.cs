using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// The SIP edge that carries a call's media watches the call: every change of state (an offer, an accept by the
/// agent's desktop, a hold, a transfer, the end) reaches it as a one-way notice with the call's snapshot.
/// </summary>
[Alias("ICallObserver")]
public interface ICallObserver : IGrainObserver
{
    [Alias("OnCallChanged")]
    void OnCallChanged(CallSnapshot call);
}

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

    /// <summary>Starts a consult (attended transfer): the caller waits on hold while the agent talks to the target.</summary>
    [Alias("StartConsultAsync")]
    Task<CommandResult> StartConsultAsync(ConsultRequest request);

    /// <summary>The edge reports the consulted party answered.</summary>
    [Alias("ConsultAnsweredAsync")]
    Task<CommandResult> ConsultAnsweredAsync();

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

    [Alias("AddNoteAsync")]
    Task<CommandResult> AddNoteAsync(string agentId, string note);

    [Alias("GetAsync")]
    Task<CallSnapshot> GetAsync();

    /// <summary>Starts a callback that keeps the place of <paramref name="original"/> in a queue.</summary>
    [Alias("StartCallbackAsync")]
    Task StartCallbackAsync(CallSnapshot original, QueueTicket ticket, string queueId);

    /// <summary>The caller pressed the callback key: a callback keeps the call's place and this call ends.</summary>
    [Alias("RequestCallbackAsync")]
    Task<CommandResult> RequestCallbackAsync();

    /// <summary>Where the waiting call stands in its queue; null when it is not waiting.</summary>
    [Alias("GetQueuePlaceAsync")]
    Task<QueuePlace?> GetQueuePlaceAsync();

    /// <summary>The caller's rating (1 to 5) after the agent hung up; taken once.</summary>
    [Alias("RecordSurveyAsync")]
    Task<CommandResult> RecordSurveyAsync(int rating);

    /// <summary>Pauses or resumes the recording of a connected call (the edge holding the media follows).</summary>
    [Alias("SetRecordingPausedAsync")]
    Task<CommandResult> SetRecordingPausedAsync(bool paused);

    /// <summary>Watches the call (the edge carrying it, agents' desktops). Kept in memory only: the edge renews it with <see cref="EdgeAliveAsync"/>.</summary>
    [Alias("ObserveAsync")]
    Task ObserveAsync(ICallObserver observer);

    [Alias("UnobserveAsync")]
    Task UnobserveAsync(ICallObserver observer);

    /// <summary>
    /// The edge carrying this call's media still has it (called every few seconds): re-adds its observer (an activation
    /// that moved silo has none) and renews the edge's lease; the snapshot lets the edge catch up on a notice it missed.
    /// A call whose edge stops renewing for a minute (a crashed edge, a lost site) is hung up, freeing its agent.
    /// </summary>
    [Alias("EdgeAliveAsync")]
    Task<CallSnapshot> EdgeAliveAsync(ICallObserver edge);

    /// <summary>Runs the call's timed check now (its edge's lease), as its timer does.</summary>
    [Alias("ProcessDueWorkAsync")]
    Task ProcessDueWorkAsync();

    /// <summary>
    /// An agent who handled the call records their disposition (and notes) in wrap-up. Once per agent: the same code
    /// again is AlreadyDone, another code is refused.
    /// </summary>
    [Alias("SetDispositionAsync")]
    Task<CommandResult> SetDispositionAsync(string agentId, string dispositionCode, string? notes);

    /// <summary>The agent's measured wrap-up after the call, for its call record (once per agent; one-way, so agents never await calls).</summary>
    [OneWay, Alias("RecordWrapUpAsync")]
    Task RecordWrapUpAsync(string agentId, double seconds);

    /// <summary>
    /// An agent holding this call asks whether it still does (one-way, so agents never await calls). If the call ended
    /// or is with someone else (the agent's accept was lost with a silo, then the call was answered again), the call
    /// tells the agent to drop it.
    /// </summary>
    [OneWay, Alias("VerifyHeldByAsync")]
    Task VerifyHeldByAsync(string agentId);

    [OneWay, Alias("OfferedAsync")]
    Task OfferedAsync(OfferLease lease);

    [OneWay, Alias("OfferWithdrawnAsync")]
    Task OfferWithdrawnAsync(OfferLease lease, CallEventKind why);

    [OneWay, Alias("OverflowedAsync")]
    Task OverflowedAsync(OverflowNotice notice);
}
