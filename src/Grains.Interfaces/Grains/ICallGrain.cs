using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// Watchers of a call (the SIP edge carrying its media, agents' desktops): every change of state (an offer, an accept
/// by the agent's desktop, a hold, a transfer, the end) reaches them as a one-way notice with a sequence number and
/// what changed, never the whole timeline.
/// </summary>
[Alias("callcenter.call.observer")]
public interface ICallObserver : IGrainObserver
{
    [Alias("callcenter.call.observer.on-call-changed")]
    void OnCallChanged(CallNotice notice);
}

/// <summary>What an agent's desktop (and the gateway acting for it) does with a call it is offered or holds.</summary>
[Alias("callcenter.call.desk")]
public interface ICallDesk : IGrainWithStringKey
{
    [Alias("callcenter.call.desk.accept")]
    Task<CommandResult> AcceptAsync(string agentId, long epoch);

    [Alias("callcenter.call.desk.reject")]
    Task<CommandResult> RejectAsync(string agentId, long epoch);

    [Alias("callcenter.call.desk.hold")]
    Task<CommandResult> HoldAsync(string agentId);

    [Alias("callcenter.call.desk.resume")]
    Task<CommandResult> ResumeAsync(string agentId);

    [Alias("callcenter.call.desk.transfer")]
    Task<CommandResult> TransferAsync(TransferRequest request);

    /// <summary>Starts a consult (attended transfer): the caller waits on hold while the agent talks to the target.</summary>
    [Alias("callcenter.call.desk.start-consult")]
    Task<CommandResult> StartConsultAsync(ConsultRequest request);

    /// <summary>Hands the call to the consulted party; the consulting agent leaves the call.</summary>
    [Alias("callcenter.call.desk.complete-consult")]
    Task<CommandResult> CompleteConsultAsync(string agentId);

    /// <summary>
    /// Ends the consult and gives the caller back to the consulting agent. <paramref name="agentId"/> null: the edge
    /// reports that the consulted party did not answer or hung up.
    /// </summary>
    [Alias("callcenter.call.desk.cancel-consult")]
    Task<CommandResult> CancelConsultAsync(string? agentId, string? reason = null);

    [Alias("callcenter.call.desk.hang-up")]
    Task<CommandResult> HangUpAsync(CallParty party, string? reason = null);

    [Alias("callcenter.call.desk.attach-data")]
    Task<CommandResult> AttachDataAsync(IReadOnlyDictionary<string, string> data);

    [Alias("callcenter.call.desk.add-note")]
    Task<CommandResult> AddNoteAsync(string agentId, string note);

    /// <summary>
    /// An agent who handled the call records their disposition (and notes) in wrap-up. Once per agent: the same code
    /// again is AlreadyDone, another code is refused.
    /// </summary>
    [Alias("callcenter.call.desk.set-disposition")]
    Task<CommandResult> SetDispositionAsync(string agentId, string dispositionCode, string? notes);

    /// <summary>Pauses or resumes the recording of a connected call (the edge holding the media follows).</summary>
    [Alias("callcenter.call.desk.set-recording-paused")]
    Task<CommandResult> SetRecordingPausedAsync(bool paused);

    /// <summary>The call as it is now, with the latest <see cref="CallSnapshot.Timeline"/> entries (the timeline is bounded).</summary>
    [Alias("callcenter.call.desk.get")]
    Task<CallSnapshot> GetAsync();

    /// <summary>Watches the call (the edge carrying it, agents' desktops). Kept in memory only: the edge renews it with <see cref="ICallEdge.EdgeAliveAsync"/>.</summary>
    [Alias("callcenter.call.desk.observe")]
    Task ObserveAsync(ICallObserver observer);

    [Alias("callcenter.call.desk.unobserve")]
    Task UnobserveAsync(ICallObserver observer);
}

/// <summary>What the SIP edge (or a simulator in its place) that carries the caller does: arrival, IVR, queueing, media.</summary>
[Alias("callcenter.call.edge")]
public interface ICallEdge : IGrainWithStringKey
{
    [Alias("callcenter.call.edge.arrive")]
    Task<CallSnapshot> ArriveAsync(CallArrival arrival);

    [Alias("callcenter.call.edge.enter-ivr")]
    Task<CommandResult> EnterIvrAsync();

    /// <summary>Puts the call in a queue; null means the queue of the dialled number's entry point.</summary>
    [Alias("callcenter.call.edge.enqueue")]
    Task<EnqueueResult> EnqueueAsync(string? queueId = null);

    /// <summary>The edge reports the media path is up (only when it manages media).</summary>
    [Alias("callcenter.call.edge.media-connected")]
    Task<CommandResult> MediaConnectedAsync();

    /// <summary>The edge reports the consulted party answered.</summary>
    [Alias("callcenter.call.edge.consult-answered")]
    Task<CommandResult> ConsultAnsweredAsync();

    /// <summary>The caller pressed the callback key: a callback keeps the call's place and this call ends.</summary>
    [Alias("callcenter.call.edge.request-callback")]
    Task<CommandResult> RequestCallbackAsync();

    /// <summary>Where the waiting call stands in its queue; null when it is not waiting.</summary>
    [Alias("callcenter.call.edge.get-queue-place")]
    Task<QueuePlace?> GetQueuePlaceAsync();

    /// <summary>The caller's rating (1 to 5) after the agent hung up; taken once.</summary>
    [Alias("callcenter.call.edge.record-survey")]
    Task<CommandResult> RecordSurveyAsync(int rating);

    /// <summary>
    /// The edge carrying this call's media still has it (called every few seconds): re-adds its observer (an activation
    /// that moved silo has none) and renews the edge's lease; the snapshot (with its <see cref="CallSnapshot.Sequence"/>)
    /// lets the edge catch up on a notice it missed. A call whose edge stops renewing for a minute (a crashed edge, a
    /// lost site) is hung up, freeing its agent.
    /// </summary>
    [Alias("callcenter.call.edge.edge-alive")]
    Task<CallSnapshot> EdgeAliveAsync(ICallObserver edge);

    /// <summary>
    /// A hang-up the edge saw <paramref name="ago"/> before it could deliver it (a silo or Redis fault in between): the
    /// call ends as if it arrived then, so its talk and wait times stop at the real end. Repeating it is a no-op.
    /// </summary>
    [Alias("callcenter.call.edge.hang-up-ago")]
    Task<CommandResult> HangUpSinceAsync(CallParty party, TimeSpan ago, string? reason = null);

    /// <summary>The agent's phone is ringing for the offer (a 180 or 183 from it): from now on an offer that expires was not answered.</summary>
    [Alias("callcenter.call.edge.offer-ringing")]
    Task OfferRingingAsync(string agentId, long epoch);

    /// <summary>
    /// The edge could not deliver the offer to the agent's phone, or the phone refused it: the offer goes back and the call
    /// to another agent; only <see cref="OfferOutcomes.ChargesAgent"/> outcomes make the agent NotReady.
    /// </summary>
    [Alias("callcenter.call.edge.offer-failed")]
    Task<CommandResult> OfferFailedAsync(string agentId, long epoch, OfferOutcome outcome);
}

/// <summary>
/// One call: the single writer of its state machine, timeline and outcome. Its public surface is the desk's and the
/// edge's roles; the notices queues and agents send it are on an interface internal to the grains, so no client can
/// send them. Awaits go downward only (call → queue → agent), so grains never wait on each other in a cycle.
/// </summary>
[Alias("callcenter.call")]
public interface ICallGrain : ICallDesk, ICallEdge;
