using CallCenter.EdgeSip.Signalling;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// One inbound call through the edge (a B2BUA): the caller's leg, the IVR, the queue's music and announcements,
/// the agent's leg and the bridge, transfers, recording and the survey. Its logic runs as one loop over its own
/// events (SIP requests, digits, the call grain's changes), so it never races itself. Each concern is a class of
/// its own; this one dispatches the legs' requests and orchestrates the concerns through the call's life.
/// </summary>
internal sealed partial class EdgeCall : ICallObserver
{
    private readonly EdgeServices _edge;
    private readonly SipServerTransaction _invite;
    private readonly ILogger _logger;
    private readonly string _callerNumber;
    private readonly string _dialledNumber;
    private readonly EntryPoint _entry;
    private readonly IvrFlow? _flow;
    private readonly ICallGrain _grain;
    private readonly CallInbox _inbox;
    private readonly CallNoticeOrder _notices = new();
    private readonly CallTrace _trace;
    private readonly EdgeLease _lease;
    private readonly CallerLeg _caller;
    private readonly CallerPrompts _prompts;
    private readonly IvrSession _ivr;
    private readonly QueueAnnouncements _announcements;
    private readonly CallBridge _bridge;
    private readonly LegDialer _dialer;
    private readonly ConsultControl _consult;
    private readonly AgentLegControl _agent;
    private readonly ExternalTransfer _transfer;
    private CallSnapshot? _latest;

    public EdgeCall(EdgeServices edge, SipServerTransaction invite, EntryPoint entry)
    {
        _edge = edge;
        _invite = invite;
        var request = invite.Request;
        CallerSipCallId = request.CallId ?? throw new ArgumentException("INVITE without Call-ID", nameof(invite));
        _callerNumber = (request.From?.Uri as SipUri)?.User ?? "anonymous";
        _dialledNumber = EntryPointNumbers.DialledNumber(request);
        _entry = entry;
        _flow = edge.Configuration?.FlowOf(entry);
        CallId = CallIds.New(edge.Options.SiteId);
        _grain = edge.Grains.GetGrain<ICallGrain>(CallId);
        _logger = edge.Logger;
        _inbox = new CallInbox(CallId, _logger);
        _trace = new CallTrace(CallId);
        _lease = new EdgeLease(edge, _grain, CallId, this);
        _caller = new CallerLeg(edge, invite, _inbox);
        _prompts = new CallerPrompts(edge, _caller, _inbox);
        _ivr = new IvrSession(edge, _grain, CallId, _trace, _prompts, new VoicemailRecording(edge, _grain, CallId, _caller, _prompts));
        _announcements = new QueueAnnouncements(edge, _grain, CallId, _caller, _prompts, _inbox);
        _bridge = new CallBridge(edge, CallId, _caller, _announcements);
        _dialer = new LegDialer(edge, this);
        _consult = new ConsultControl(edge, _grain, CallId, _dialer, _inbox);
        _agent = new AgentLegControl(edge, _grain, CallId, _trace, _bridge, _consult, _dialer, _inbox);
        _transfer = new ExternalTransfer(edge, _grain, CallId, _callerNumber, _caller, _prompts, _inbox, _agent, _bridge, _dialer);
    }

    /// <summary>The call grain's id.</summary>
    public string CallId { get; }

    public string CallerSipCallId { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Answers (after any ring time) and runs the call to its end.</summary>
    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>The grain's notices may overtake each other on the way: an older one than the last passed on is dropped.</summary>
    void ICallObserver.OnCallChanged(CallNotice notice) => _notices.PassIfNewer(notice, newer => Post(new CallChanged(newer)));

    public void Post(CallEvent callEvent) => _inbox.Post(callEvent);

    /// <summary>An in-dialog request on one of this call's legs (answered here, on the SIP thread; the call reacts in its loop).</summary>
    public void OnInDialogRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var agentLeg = _agent.Current is { } agent && request.CallId == agent.CallId ? agent : null;
        var consultLeg = _consult.Leg is { } consult && request.CallId == consult.CallId ? consult : null;
        var legKind = consultLeg is not null ? CallLegKind.Consult : agentLeg is not null ? CallLegKind.Agent : CallLegKind.Caller;
        var phoneLeg = consultLeg ?? agentLeg;
        // RFC 3261 12.2.2: a request whose CSeq is not above the last one on its dialog is out of order.
        if ((phoneLeg is not null ? phoneLeg.Dialog : _caller.Dialog) is { } dialog && !dialog.TryAcceptRequest(request))
        {
            transaction.Respond(500, "Request Out Of Order");
            return;
        }

        switch (InDialogRouting.Route(legKind, request.Method))
        {
            case InDialogAction.HangUp:
                transaction.Respond(200, "OK");
                if (phoneLeg is not null)
                {
                    phoneLeg.MarkEnded();
                    Post(new AgentHungUp(phoneLeg));
                }
                else
                {
                    Post(new CallerLeft());
                }

                break;
            case InDialogAction.AnswerReInvite when phoneLeg is not null:
                if (phoneLeg.AnswerInDialog(transaction) is { } held && legKind == CallLegKind.Agent)
                {
                    Post(new AgentHold(phoneLeg, held));
                }

                break;
            case InDialogAction.AnswerReInvite:
                _caller.AnswerInDialog(transaction);
                break;
            case InDialogAction.Transfer:
                if (InDialogRouting.ReferTarget(request, out var refusal) is not { } referTo)
                {
                    transaction.Respond(400, refusal);
                    break;
                }

                transaction.Respond(202, "Accepted");
                Post(new AgentReferred(agentLeg!, request, referTo));
                break;
            case InDialogAction.ReadDigit:
                transaction.Respond(200, "OK");
                if (DtmfInfo.TryRead(request, out var digit))
                {
                    Post(new CallerDigit(digit));
                }

                break;
            case InDialogAction.Prack:
                // Only the caller's INVITE gets reliable provisionals from the edge; any other PRACK matches nothing.
                if (phoneLeg is null && _caller.OnPrack(request))
                {
                    transaction.Respond(200, "OK");
                }
                else
                {
                    transaction.Respond(481, "Call/Transaction Does Not Exist");
                }

                break;
            case InDialogAction.Acknowledge:
                transaction.Respond(200, "OK");
                break;
            case InDialogAction.Forbid:
                transaction.Respond(403, "Forbidden");
                break;
            default:
                SipCapabilities.RespondMethodNotAllowed(transaction, legKind == CallLegKind.Caller ? SipCapabilities.CallerDialogMethods : SipCapabilities.AgentDialogMethods);
                break;
        }
    }

    /// <summary>The caller's INVITE was cancelled before the answer (the layer already sent 487).</summary>
    public void OnCancelled() => Post(new CallerLeft());

    private async Task RunAsync()
    {
        using var callSpan = _trace.StartCall(_invite.Request, _edge.Options.SiteId, _dialledNumber);
        using var logScope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId, ["SipCallId"] = CallerSipCallId });
        _edge.Metrics.CallStarted(_edge.Options.SiteId);
        try
        {
            if (_caller.PrepareAnswer() is not { } answer)
            {
                return;
            }

            await _lease.ObserveAsync();
            var arrival = new CallArrival
            {
                // The dialled number's entry point decides the call's tenant.
                TenantId = _entry.TenantId,
                SiteId = _edge.Options.SiteId,
                CallerNumber = _callerNumber,
                DialledNumber = _dialledNumber,
                MediaManagedByEdge = true,
                AttachedData = new Dictionary<string, string> { ["sip.callId"] = CallerSipCallId },
            };
            await _edge.Retry.RunAsync("arrive", CallId, () => _grain.ArriveAsync(arrival), GrainCallRetry.ArrivalGiveUpAfter);
            _lease.StartRenewing();
            await _caller.AnswerAsync(answer, _flow?.RingSeconds);

            var route = await _ivr.RunAsync(_flow);
            if (route.Ended)
            {
                await _caller.ByeAsync();
                return;
            }

            var queueId = route.QueueId;
            _trace.StartQueue();
            var enqueued = await _edge.Retry.RunAsync("enqueue", CallId, () => _grain.EnqueueAsync(queueId));
            _trace.Enqueued(queueId, enqueued.Position);
            if (enqueued.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
            {
                _trace.EndQueue("not queued: " + enqueued.Status);
                LogNotQueued(CallId, enqueued.Status, enqueued.Message);
                await _announcements.PlayOverflowAsync(queueId ?? _entry.QueueId);
                await _edge.Retry.HangUpAsync(_grain, CallId, CallParty.System, $"not queued: {enqueued.Status}");
                await _caller.ByeAsync();
                return;
            }

            await RunUntilEndAsync();
        }
        catch (CallerLeftException)
        {
            using var hangUp = _trace.StartHangUp("caller");
            await _edge.Retry.HangUpAsync(_grain, CallId, CallParty.Caller);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCallFailed(exception, CallId);
            UnansweredInvite.RefuseIfPending(_invite);
            await _caller.ByeAsync();
            try
            {
                await _edge.Retry.HangUpAsync(_grain, CallId, CallParty.System, "edge failure");
            }
            catch (Exception) when (exception is not OutOfMemoryException)
            {
                // The grain may be unreachable; the call's watchdog and the queue settle it.
            }
        }
        finally
        {
            await CleanUpAsync();
            _trace.EndOffer("call ended");
            _trace.EndQueue("call ended");
            _edge.Metrics.CallEnded(_edge.Options.SiteId);
        }
    }

    /// <summary>Waits in the queue, then talks, until the call ends for the caller.</summary>
    private async Task RunUntilEndAsync()
    {
        _announcements.Start();
        _caller.PlayMusicOnHold();
        while (true)
        {
            switch (await _inbox.NextAsync())
            {
                case CallerDigit { Digit: var digit } when digit == _edge.Options.CallbackKey && !_bridge.IsBridged:
                    if ((await _grain.RequestCallbackAsync()).Succeeded)
                    {
                        await _agent.CancelAsync();
                        await _prompts.PlayAsync(["callback-confirmed"]);
                        await _caller.ByeAsync();
                        return;
                    }

                    break;
                case AnnouncementDue when !_bridge.IsBridged && _agent.Current is not { Answered: true }:
                    await _announcements.AnnounceAsync();
                    break;
                case CallChanged { Call: var call }:
                    if (await OnCallChangedAsync(call))
                    {
                        return;
                    }

                    break;
                case AgentRinging { Leg: var leg } when leg == _agent.Current:
                    await _agent.OnRingingAsync(leg);
                    break;
                case AgentAnswered { Leg: var leg } when leg == _agent.Current:
                    await _agent.OnAnsweredAsync(leg, _latest);
                    break;
                case AgentFailed { Leg: var leg, StatusCode: var status } when leg == _agent.Current:
                    await _agent.OnFailedAsync(leg, status, _latest);
                    break;
                case AgentAnswered { Leg: var leg } when leg == _consult.Leg:
                    await _consult.OnAnsweredAsync(leg, _agent.Current);
                    break;
                case AgentFailed { Leg: var leg, StatusCode: var status } when leg == _consult.Leg:
                    await _consult.OnLostAsync($"consulted party did not answer ({status})");
                    break;
                case AgentHungUp { Leg: var leg } when leg == _consult.Leg:
                    await _consult.OnLostAsync("consulted party hung up");
                    break;
                case AgentHungUp { Leg: var leg } when leg == _agent.Current:
                    if (await OnAgentHungUpAsync())
                    {
                        return;
                    }

                    break;
                case AgentHold { Leg: var leg, Held: var held } when leg == _agent.Current && leg.AgentId is { } agentId:
                    await (held ? _grain.HoldAsync(agentId) : _grain.ResumeAsync(agentId));
                    _bridge.ApplyHold(held);
                    break;
                case AgentReferred referred when referred.Leg == _agent.Current:
                    await _transfer.OnReferAsync(referred);
                    break;
            }
        }
    }

    /// <summary>Reacts to a change the grains made (an offer, an accept from a desktop, hold, transfer, the end). True when the call is over.</summary>
    private async Task<bool> OnCallChangedAsync(CallSnapshot call)
    {
        _latest = call;
        if (CallChangePlan.LeftQueue(call.State))
        {
            // Taken by an agent or over (notices from before the queue, still in the loop's inbox, do not end it).
            _trace.EndQueue(call.State.ToString());
        }

        var legs = new EdgeLegs(LegState.Of(_agent.Current), _bridge.IsBridged, LegState.Of(_consult.Leg), _consult.IsBridged);
        switch (CallChangePlan.Decide(call, legs))
        {
            case CallChangeStep.RingOfferedAgent:
                await _agent.CancelAsync();
                await _agent.RingAsync(call.OfferedAgentId!, call.OfferEpoch, acceptOnAnswer: true, _callerNumber, _dialledNumber);
                break;
            case CallChangeStep.StopRinging:
                await _agent.CancelAsync();
                break;
            case CallChangeStep.ReturnToQueue:
                await _agent.DropAsync();
                await _prompts.PlayAsync(["transferring"]);
                _caller.PlayMusicOnHold();
                _announcements.Start();
                break;
            case CallChangeStep.RingAcceptingAgent:
                await _agent.CancelAsync();
                await _agent.RingAsync(call.AgentId!, call.OfferEpoch, acceptOnAnswer: false, _callerNumber, _dialledNumber);
                break;
            case CallChangeStep.StartConsult:
                _bridge.Disconnect();
                _caller.PlayMusicOnHold();
                await _consult.StartAsync(call.Consult!, _callerNumber, _agent.Current?.AgentId);
                break;
            case CallChangeStep.HandOverToConsulted:
                await _agent.HandOverToConsultedAsync();
                break;
            case CallChangeStep.ResumeAfterConsult:
                await _consult.DropAsync();
                if (_agent.Current is { Answered: true, Ended: false } agentLeg)
                {
                    _bridge.Connect(agentLeg);
                    _bridge.ApplyHold(call.State == CallState.Held);
                }

                break;
            case CallChangeStep.FollowHoldAndRecording:
                _bridge.ApplyHold(call.State == CallState.Held);
                _bridge.ApplyRecordingPause(call.RecordingPaused);
                break;
            case CallChangeStep.End:
                return await OnEndedByGrainsAsync(call);
        }

        return false;
    }

    private async Task<bool> OnEndedByGrainsAsync(CallSnapshot call)
    {
        using var hangUp = _trace.StartHangUp("grains");
        hangUp?.SetTag("callcenter.outcome", call.Outcome.ToString());
        if (call.Outcome == CallOutcome.TransferredOut && _consult.Leg is { AgentId: null, Answered: true, Ended: false } expert)
        {
            // The consulted partner expert takes the caller: the agent leaves, the expert's leg is already up.
            _consult.HandOver();
            await _agent.DropAsync();
            return await _transfer.BridgeAsync(call.OutcomeDetail ?? expert.Target.ToString(), expert);
        }

        if (call.Outcome == CallOutcome.TransferredOut && call.OutcomeDetail is { } target && _bridge.IsBridged)
        {
            // Transferred outside: the agent leaves; the edge dials the target and keeps the caller's media.
            await _agent.DropAsync();
            await _prompts.PlayAsync(["transferring"]);
            return await _transfer.BridgeAsync(target);
        }

        var wasTalking = _bridge.IsBridged;
        await _agent.DropAsync();
        if (wasTalking && call.Outcome == CallOutcome.Answered)
        {
            await RunSurveyAsync();
        }
        else if (call.Outcome == CallOutcome.CallbackScheduled)
        {
            await _prompts.PlayAsync(["callback-confirmed"]);
        }
        else if (!wasTalking && call.Outcome == CallOutcome.Overflowed)
        {
            await _announcements.PlayOverflowAsync(call.QueueId);
        }
        else if (!wasTalking)
        {
            await _prompts.PlayAsync([QueueAnnouncements.AllBusyPrompt]);
        }

        await _caller.ByeAsync();
        return true;
    }

    /// <summary>The agent's phone hung up. True when the call is over for the caller.</summary>
    private async Task<bool> OnAgentHungUpAsync()
    {
        if (_consult.Leg is { Answered: true } && _agent.Current?.AgentId is { } holder && (await _grain.CompleteConsultAsync(holder)).Succeeded)
        {
            // The consulting agent hung up while talking to the consulted party: the call is handed over (the
            // grain's change moves the caller to the consulted leg).
            return false;
        }

        var wasTalking = _bridge.IsBridged || _consult.Leg is not null;
        var agentId = _agent.Current?.AgentId;
        await _agent.DropAsync();
        if (agentId is null)
        {
            // The external party of a transfer hung up.
            await _caller.ByeAsync();
            return true;
        }

        using var hangUp = _trace.StartHangUp("agent");
        await _edge.Retry.HangUpAsync(_grain, CallId, CallParty.Agent);
        if (wasTalking)
        {
            await RunSurveyAsync();
        }

        await _caller.ByeAsync();
        return true;
    }

    private async Task RunSurveyAsync()
    {
        if (!_edge.Options.Survey || _inbox.CallerGone)
        {
            return;
        }

        var rating = await _prompts.CollectDigitsAsync(["survey"], 1);
        if (rating.Length == 1 && rating[0] is >= '1' and <= '5')
        {
            await _grain.RecordSurveyAsync(rating[0] - '0');
            await _prompts.PlayAsync(["thank-you"]);
        }
    }

    private async Task CleanUpAsync()
    {
        await _lease.DisposeAsync();
        _announcements.Dispose();
        _edge.LegsBySipCallId.TryRemove(CallerSipCallId, out _);
        _edge.Signalling.Forget(CallerSipCallId);
        try
        {
            await _agent.DropAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCallFailed(exception, CallId);
        }

        await _caller.CloseMediaAsync();
        _lease.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge call {CallId} failed")]
    private partial void LogCallFailed(Exception exception, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} was not queued: {Status} {Message}")]
    private partial void LogNotQueued(string callId, EnqueueStatus status, string? message);
}
