using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;
using CallCenter.EdgeSip.Signalling;
using CallCenter.EdgeSip.Ivr;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// One inbound call through the edge (a B2BUA): the caller's leg, the IVR, the queue's music and announcements,
/// the agent's leg and the bridge, transfers, recording and the survey. Its logic runs as one loop over its own
/// events (SIP requests, digits, the call grain's changes), so it never races itself.
/// </summary>
internal sealed partial class EdgeCall : ICallObserver
{
    /// <summary>How long the grain's reference to this call stays after the call: its last notice may come late.</summary>
    private static readonly TimeSpan NoticeGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LeaseRenewEvery = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _ended = new();
    private Task? _leaseRenewal;

    private readonly EdgeServices _edge;
    private readonly SipServerTransaction _invite;
    private readonly System.Threading.Channels.Channel<CallEvent> _events = System.Threading.Channels.Channel.CreateUnbounded<CallEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ILogger _logger;
    private readonly string _callerNumber;
    private readonly string _dialledNumber;
    private readonly string _callerSipCallId;
    private readonly ICallGrain _grain;
    private SipDialog? _callerDialog;
    private RtpEndpoint? _callerMedia;
    private ICallObserver? _observerReference;
    private AgentLeg? _agentLeg;
    private MediaBridge? _bridge;
    /// <summary>During a consult: the consulted party's leg, bridged to the agent while the caller waits on hold.</summary>
    private AgentLeg? _consultLeg;
    private MediaBridge? _consultBridge;
    private CallRecorder? _recorder;
    private CallSnapshot? _latest;
    private ITimer? _announcementTimer;
    private bool _callerGone;
    private readonly Lock _snapshotOrder = new();
    private long _lastSequence;

    /// <summary>The call's trace: the INVITE's span (root, or a child of a traceparent the caller sent), the queue step and the offer in progress.</summary>
    private Activity? _callSpan;
    private Activity? _queueSpan;
    private Activity? _offerSpan;

    public EdgeCall(EdgeServices edge, SipServerTransaction invite)
    {
        _edge = edge;
        _invite = invite;
        var request = invite.Request;
        _callerSipCallId = request.CallId ?? throw new ArgumentException("INVITE without Call-ID", nameof(invite));
        _callerNumber = (request.From?.Uri as SipUri)?.User ?? "anonymous";
        _dialledNumber = (request.RequestUri as SipUri)?.User ?? (request.To?.Uri as SipUri)?.User ?? "";
        CallId = CallIds.New(edge.Options.SiteId);
        _grain = edge.Grains.GetGrain<ICallGrain>(CallId);
        _logger = edge.Logger;
    }

    /// <summary>The call grain's id.</summary>
    public string CallId { get; }

    public string CallerSipCallId => _callerSipCallId;

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Answers (after any ring time) and runs the call to its end.</summary>
    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>
    /// The grain's notices may overtake each other on the way; each carries the call's sequence, so an older one
    /// (a lower sequence) than the last passed on is dropped.
    /// </summary>
    void ICallObserver.OnCallChanged(CallNotice notice)
    {
        lock (_snapshotOrder)
        {
            if (notice.Sequence <= _lastSequence)
            {
                return;
            }

            _lastSequence = notice.Sequence;
            Post(new CallChanged(notice.Call));
        }
    }

    public void Post(CallEvent callEvent)
    {
        LogEvent(CallId, callEvent);
        _events.Writer.TryWrite(callEvent);
    }

    /// <summary>An in-dialog request on one of this call's legs (answered here, on the SIP thread; the call reacts in its loop).</summary>
    public void OnInDialogRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var onAgentLeg = _agentLeg is { } leg && request.CallId == leg.CallId;
        if (_consultLeg is { } consultLeg && request.CallId == consultLeg.CallId)
        {
            OnConsultLegRequest(transaction, consultLeg);
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Bye:
                transaction.Respond(200, "OK");
                if (onAgentLeg)
                {
                    _agentLeg!.MarkEnded();
                    Post(new AgentHungUp(_agentLeg));
                }
                else
                {
                    Post(new CallerLeft());
                }

                break;
            case SipMethods.Invite when onAgentLeg:
                var held = _agentLeg!.AnswerReInvite(transaction);
                Post(new AgentHold(_agentLeg, held));
                break;
            case SipMethods.Invite:
                transaction.SendResponse(AnswerCallerReInvite(request));
                break;
            case SipMethods.Refer when onAgentLeg:
                if (request.Headers.GetFirst(SipHeaderNames.ReferTo) is not { } referTo)
                {
                    transaction.Respond(400, "Missing Refer-To");
                    break;
                }

                transaction.Respond(202, "Accepted");
                Post(new AgentReferred(_agentLeg!, request, referTo));
                break;
            case SipMethods.Info when !onAgentLeg:
                transaction.Respond(200, "OK");
                if (DtmfInfo.TryRead(request, out var digit))
                {
                    Post(new CallerDigit(digit));
                }

                break;
            case SipMethods.Notify or SipMethods.Options or SipMethods.Info:
                transaction.Respond(200, "OK");
                break;
            default:
                transaction.Respond(405, "Method Not Allowed");
                break;
        }
    }

    /// <summary>The consulted party's phone talks only to the consulting agent: it may hang up or renegotiate media, nothing more.</summary>
    private void OnConsultLegRequest(SipServerTransaction transaction, AgentLeg leg)
    {
        switch (transaction.Request.Method)
        {
            case SipMethods.Bye:
                transaction.Respond(200, "OK");
                leg.MarkEnded();
                Post(new AgentHungUp(leg));
                break;
            case SipMethods.Invite:
                leg.AnswerReInvite(transaction);
                break;
            case SipMethods.Notify or SipMethods.Options or SipMethods.Info:
                transaction.Respond(200, "OK");
                break;
            default:
                transaction.Respond(403, "Forbidden");
                break;
        }
    }

    /// <summary>The caller's INVITE was cancelled before the answer (the layer already sent 487).</summary>
    public void OnCancelled() => Post(new CallerLeft());

    private async Task RunAsync()
    {
        using var callSpan = _callSpan = StartCallSpan();
        using var logScope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId, ["SipCallId"] = _callerSipCallId });
        var site = new KeyValuePair<string, object?>("site", _edge.Options.SiteId);
        EdgeTelemetry.EdgeCallsActive.Add(1, site);
        try
        {
            if (PrepareAnswer() is not { } answer)
            {
                return;
            }

            _observerReference = _edge.Grains.CreateObjectReference<ICallObserver>(this);
            await _grain.ObserveAsync(_observerReference);
            await _grain.ArriveAsync(new CallArrival
            {
                SiteId = _edge.Options.SiteId,
                CallerNumber = _callerNumber,
                DialledNumber = _dialledNumber,
                MediaManagedByEdge = true,
                AttachedData = new Dictionary<string, string> { ["sip.callId"] = _callerSipCallId },
            });
            _leaseRenewal = RenewLeaseAsync(_ended.Token);
            await AnswerCallerAsync(answer);

            var queueId = await RunIvrAsync();
            _queueSpan = EdgeTelemetry.StartStep(EdgeTelemetry.QueueSpanName, CallId);
            var enqueued = await _grain.EnqueueAsync(queueId);
            _queueSpan?.SetTag("callcenter.queue", queueId ?? "entry point");
            _queueSpan?.SetTag("callcenter.queue.position", enqueued.Position);
            Activity.Current = callSpan;
            if (enqueued.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
            {
                EndQueueSpan("not queued: " + enqueued.Status);
                LogNotQueued(CallId, enqueued.Status, enqueued.Message);
                await PlayToCallerAsync(["all-busy"]);
                await _grain.HangUpAsync(CallParty.System, $"not queued: {enqueued.Status}");
                await ByeCallerAsync();
                return;
            }

            await RunUntilEndAsync();
        }
        catch (CallerLeftException)
        {
            using var hangUp = StartHangUpSpan("caller");
            await _grain.HangUpAsync(CallParty.Caller);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCallFailed(exception, CallId);
            await ByeCallerAsync();
            try
            {
                await _grain.HangUpAsync(CallParty.System, "edge failure");
            }
            catch (Exception) when (exception is not OutOfMemoryException)
            {
                // The grain may be unreachable; the call's watchdog and the queue settle it.
            }
        }
        finally
        {
            await CleanUpAsync();
            EndOfferSpan("call ended");
            EndQueueSpan("call ended");
            EdgeTelemetry.EdgeCallsActive.Add(-1, site);
        }
    }

    /// <summary>The INVITE's span: a child of the caller's W3C traceparent when its INVITE carried one, else a new trace.</summary>
    private Activity? StartCallSpan()
    {
        var request = _invite.Request;
        ActivityContext.TryParse(request.Headers.GetFirst("traceparent"), request.Headers.GetFirst("tracestate"), out var parent);
        var span = EdgeTelemetry.ActivitySource.StartActivity(EdgeTelemetry.CallSpanName, ActivityKind.Server, parent);
        span?.SetTag("callcenter.call_id", CallId);
        span?.SetTag("callcenter.site", _edge.Options.SiteId);
        span?.SetTag("sip.call_id", _callerSipCallId);
        span?.SetTag("sip.dialled", _dialledNumber);
        return span;
    }

    private Activity? StartHangUpSpan(string party)
    {
        var span = EdgeTelemetry.StartStep(EdgeTelemetry.HangUpSpanName, CallId);
        span?.SetTag("callcenter.party", party);
        return span;
    }

    private void EndQueueSpan(string result)
    {
        if (_queueSpan is { } span)
        {
            _queueSpan = null;
            span.SetTag("callcenter.result", result);
            span.Stop();
        }
    }

    private void EndOfferSpan(string result)
    {
        if (_offerSpan is { } span)
        {
            _offerSpan = null;
            span.SetTag("callcenter.result", result);
            span.Stop();
        }
    }

    /// <summary>Our SDP answer to the caller's offer, with the caller's RTP endpoint open; null (after a 488) when no usable audio was offered.</summary>
    private SdpSessionDescription? PrepareAnswer()
    {
        var request = _invite.Request;
        if (request.Body.Length == 0 || !SdpSessionDescription.TryParse(Encoding.UTF8.GetString(request.Body), out var offer, out _))
        {
            _invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        _callerMedia = RtpEndpoint.Open(_edge.Ports, _edge.MediaClock);
        _callerMedia.DtmfReceived += digit => Post(new CallerDigit(digit));
        var sdp = new SdpOfferAnswer(_edge.Signalling.AdvertisedHost, _callerMedia.LocalEndPoint.Port);
        var answer = sdp.CreateAnswer(offer);
        if (answer.Audio is not { } audio)
        {
            _invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        NegotiatedMedia.Apply(_callerMedia, audio);
        return answer.Answer;
    }

    /// <summary>Ringing for the configured time (the caller may give up: CANCEL), then 200 OK with our SDP answer.</summary>
    private async Task AnswerCallerAsync(SdpSessionDescription answer)
    {
        var request = _invite.Request;
        var toTag = SipMessageFactory.NewTag();
        var ringSeconds = _edge.Options.Numbers.TryGetValue(_dialledNumber, out var flow) && flow.RingSeconds is { } own ? own : _edge.Options.RingSeconds;
        if (ringSeconds > 0)
        {
            _invite.Respond(180, "Ringing", toTag);
            using var ringing = new CancellationTokenSource(TimeSpan.FromSeconds(ringSeconds), _edge.Time);
            try
            {
                while (true)
                {
                    if (await _events.Reader.ReadAsync(ringing.Token) is CallerLeft)
                    {
                        _callerGone = true;
                        throw new CallerLeftException();
                    }
                }
            }
            catch (OperationCanceledException) when (ringing.IsCancellationRequested)
            {
                // Rang long enough: answer.
            }
        }

        var ok = SipMessageFactory.CreateResponse(request, 200, "OK", toTag);
        ok.Headers.Add(SipHeaderNames.Contact, _edge.Signalling.ContactFor("edge", _invite.Transport.Protocol).ToString());
        ok.Headers.Add("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS");
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = answer.ToBytes();
        _callerDialog = SipDialog.CreateAsUas(request, ok);
        _callerDialog.LocalContact = _edge.Signalling.ContactFor("edge", _invite.Transport.Protocol);
        _edge.Signalling.SendAnswer(_invite, ok);
    }

    /// <summary>The IVR of the dialled number: greeting, digits to collect, the menu. Returns the chosen queue (null: the entry point's).</summary>
    private async Task<string?> RunIvrAsync()
    {
        if (!_edge.Options.Numbers.TryGetValue(_dialledNumber, out var flow))
        {
            return null;
        }

        using var ivr = EdgeTelemetry.StartStep(EdgeTelemetry.IvrSpanName, CallId);
        await _grain.EnterIvrAsync();
        var menu = new IvrMenu(flow);
        if (flow.CollectDigits > 0)
        {
            var digits = await CollectDigitsAsync([flow.Greeting, flow.CollectPrompt], flow.CollectDigits);
            if (digits.Length > 0)
            {
                await _grain.AttachDataAsync(new Dictionary<string, string> { [flow.CollectInto] = digits });
            }
        }

        if (!menu.HasChoices)
        {
            if (flow.CollectDigits == 0)
            {
                await PlayToCallerAsync([flow.Greeting]);
            }

            return menu.DefaultQueue;
        }

        var prompts = flow.CollectDigits > 0 ? new List<string> { flow.MenuPrompt } : [flow.Greeting, flow.MenuPrompt];
        for (var attempt = 1; attempt <= menu.Attempts; attempt++)
        {
            var key = await CollectDigitsAsync(prompts, 1);
            if (menu.QueueFor(key) is { } queueId)
            {
                await _grain.AttachDataAsync(new Dictionary<string, string> { ["ivr.choice"] = key });
                return queueId;
            }

            prompts = key.Length > 0 ? ["invalid", flow.MenuPrompt] : [flow.MenuPrompt];
        }

        return menu.DefaultQueue;
    }

    /// <summary>Waits in the queue, then talks, until the call ends for the caller.</summary>
    private async Task RunUntilEndAsync()
    {
        StartAnnouncements();
        PlayMusicOnHold();
        while (true)
        {
            var next = await NextAsync();
            switch (next)
            {
                case CallerDigit { Digit: var digit } when digit == _edge.Options.CallbackKey && _bridge is null:
                    if ((await _grain.RequestCallbackAsync()).Succeeded)
                    {
                        await CancelAgentLegAsync();
                        await PlayToCallerAsync(["callback-confirmed"]);
                        await ByeCallerAsync();
                        return;
                    }

                    break;
                case AnnouncementDue when _bridge is null && _agentLeg is not { Answered: true }:
                    await AnnounceAsync();
                    break;
                case CallChanged { Call: var call }:
                    if (await OnCallChangedAsync(call))
                    {
                        return;
                    }

                    break;
                case AgentAnswered { Leg: var leg } when leg == _agentLeg:
                    await OnAgentAnsweredAsync(leg);
                    break;
                case AgentFailed { Leg: var leg, StatusCode: var status } when leg == _agentLeg:
                    await OnAgentFailedAsync(leg, status);
                    break;
                case AgentAnswered { Leg: var leg } when leg == _consultLeg:
                    await OnConsultAnsweredAsync(leg);
                    break;
                case AgentFailed { Leg: var leg, StatusCode: var status } when leg == _consultLeg:
                    await DropConsultLegAsync();
                    await _grain.CancelConsultAsync(null, $"consulted party did not answer ({status})");
                    break;
                case AgentHungUp { Leg: var leg } when leg == _consultLeg:
                    await DropConsultLegAsync();
                    await _grain.CancelConsultAsync(null, "consulted party hung up");
                    break;
                case AgentHungUp { Leg: var leg } when leg == _agentLeg:
                    if (await OnAgentHungUpAsync())
                    {
                        return;
                    }

                    break;
                case AgentHold { Leg: var leg, Held: var held } when leg == _agentLeg && leg.AgentId is { } agentId:
                    await (held ? _grain.HoldAsync(agentId) : _grain.ResumeAsync(agentId));
                    ApplyHold(held);
                    break;
                case AgentReferred referred when referred.Leg == _agentLeg:
                    await OnReferAsync(referred);
                    break;
            }
        }
    }

    /// <summary>Reacts to a change the grains made (an offer, an accept from a desktop, hold, transfer, the end). True when the call is over.</summary>
    private async Task<bool> OnCallChangedAsync(CallSnapshot call)
    {
        _latest = call;
        if (call.State is CallState.Connecting or CallState.Connected or CallState.Held or CallState.Consulting or CallState.Ended)
        {
            // Taken by an agent or over (notices from before the queue, still in the loop's inbox, do not end it).
            EndQueueSpan(call.State.ToString());
        }

        switch (call.State)
        {
            case CallState.Offered when call.OfferedAgentId is { } agentId && call.OfferEpoch is { } epoch
                && (_agentLeg is null || _agentLeg.Ended || _agentLeg.Epoch != epoch):
                await CancelAgentLegAsync();
                await RingAgentAsync(agentId, epoch, acceptOnAnswer: true);
                break;
            case CallState.Queued when _agentLeg is { Answered: false, AcceptOnAnswer: true }:
                // The offer was withdrawn (expired or rejected elsewhere): stop ringing.
                await CancelAgentLegAsync();
                break;
            case CallState.Queued when _bridge is not null || _agentLeg is { Answered: true }:
                // Transferred from the agent's desktop: the agent leaves, the caller waits again.
                await DropAgentLegAsync();
                await PlayToCallerAsync(["transferring"]);
                PlayMusicOnHold();
                StartAnnouncements();
                break;
            case CallState.Connecting when call.AgentId is { } agentId && (_agentLeg is null || _agentLeg.Ended || _agentLeg.AgentId != agentId):
                // Accepted from the agent's desktop: ring the agent's phone to carry the voice.
                await CancelAgentLegAsync();
                await RingAgentAsync(agentId, call.OfferEpoch, acceptOnAnswer: false);
                break;
            case CallState.Consulting when call.Consult is { } consult && _consultLeg is null:
                await StartConsultAsync(consult);
                break;
            case CallState.Connected or CallState.Held when _consultLeg is { AgentId: { } consulted } && call.AgentId == consulted:
                await HandOverToConsultLegAsync();
                break;
            case CallState.Connected or CallState.Held when _consultLeg is not null || _consultBridge is not null:
                // The consult was cancelled: the caller talks to the agent again.
                await DropConsultLegAsync();
                if (_agentLeg is { Answered: true, Ended: false } agentLeg)
                {
                    Bridge(agentLeg);
                    ApplyHold(call.State == CallState.Held);
                }

                break;
            case CallState.Held or CallState.Connected when _bridge is not null:
                ApplyHold(call.State == CallState.Held);
                ApplyRecordingPause(call.RecordingPaused);
                break;
            case CallState.Ended:
                return await OnEndedByGrainsAsync(call);
        }

        return false;
    }

    private async Task<bool> OnEndedByGrainsAsync(CallSnapshot call)
    {
        using var hangUp = StartHangUpSpan("grains");
        hangUp?.SetTag("callcenter.outcome", call.Outcome.ToString());
        if (call.Outcome == CallOutcome.TransferredOut && _consultLeg is { AgentId: null, Answered: true, Ended: false } expert)
        {
            // The consulted partner expert takes the caller: the agent leaves, the expert's leg is already up.
            _consultBridge?.Dispose();
            _consultBridge = null;
            _consultLeg = null;
            await DropAgentLegAsync();
            return await BridgeExternalAsync(call.OutcomeDetail ?? expert.Target.ToString(), expert);
        }

        if (call.Outcome == CallOutcome.TransferredOut && call.OutcomeDetail is { } target && _bridge is not null)
        {
            // Transferred outside: the agent leaves; the edge dials the target and keeps the caller's media.
            await DropAgentLegAsync();
            await PlayToCallerAsync(["transferring"]);
            return await BridgeExternalAsync(target);
        }

        var wasTalking = _bridge is not null;
        await DropAgentLegAsync();
        if (wasTalking && call.Outcome == CallOutcome.Answered)
        {
            await RunSurveyAsync();
        }
        else if (call.Outcome == CallOutcome.CallbackScheduled)
        {
            await PlayToCallerAsync(["callback-confirmed"]);
        }
        else if (!wasTalking)
        {
            await PlayToCallerAsync(["all-busy"]);
        }

        await ByeCallerAsync();
        return true;
    }

    private async Task RingAgentAsync(string agentId, long? epoch, bool acceptOnAnswer)
    {
        // One span per offer, under the queue step: from the offer to the phone's answer or failure.
        EndOfferSpan("superseded");
        _offerSpan = EdgeTelemetry.ActivitySource.StartActivity(EdgeTelemetry.OfferSpanName, ActivityKind.Internal, _queueSpan?.Context ?? _callSpan?.Context ?? default);
        _offerSpan?.SetTag("callcenter.call_id", CallId);
        _offerSpan?.SetTag("callcenter.offer_epoch", epoch);
        var status = await _edge.Grains.GetGrain<IAgentGrain>(agentId).GetStatusAsync();
        if (status.PhoneContact is not { } contact || !AddressUri.TryParse(contact, out var target)
            || Signalling.SipSignalling.Resolve(target, out var protocol) is not { } destination)
        {
            LogNoPhone(agentId, CallId);
            if (acceptOnAnswer && epoch is { } offered)
            {
                await _grain.RejectAsync(agentId, offered);
            }

            return;
        }

        var leg = new AgentLeg(_edge.Signalling, RtpEndpoint.Open(_edge.Ports, _edge.MediaClock), agentId, epoch, acceptOnAnswer, target, destination, protocol);
        _agentLeg = leg;
        _edge.LegsBySipCallId[leg.CallId] = this;
        _ = leg.RingAsync(_callerNumber, "Call " + _dialledNumber, Post);
    }

    private async Task OnAgentAnsweredAsync(AgentLeg leg)
    {
        EndOfferSpan("answered");
        using var bridge = EdgeTelemetry.StartStep(EdgeTelemetry.BridgeSpanName, CallId);
        if (leg.AcceptOnAnswer && leg.AgentId is { } agentId && leg.Epoch is { } epoch)
        {
            var accepted = await _grain.AcceptAsync(agentId, epoch);
            if (!accepted.Succeeded)
            {
                // The offer had expired or gone to someone else: this phone is not needed.
                LogAcceptRefused(CallId, agentId, accepted.Message);
                await CancelAgentLegAsync();
                return;
            }
        }

        Bridge(leg);
        await _grain.MediaConnectedAsync();
        if (_latest?.RecordingPaused == true)
        {
            ApplyRecordingPause(true);
        }
    }

    private async Task OnAgentFailedAsync(AgentLeg leg, int status)
    {
        EndOfferSpan("phone failed: " + status.ToString(CultureInfo.InvariantCulture));
        _edge.LegsBySipCallId.TryRemove(leg.CallId, out _);
        _agentLeg = null;
        await leg.Media.DisposeAsync();
        if (leg.AgentId is not { } agentId)
        {
            return;
        }

        if (leg.AcceptOnAnswer && leg.Epoch is { } epoch)
        {
            // Busy, declined or unreachable: the offer goes back to the queue (the agent is marked as having missed it).
            LogAgentDidNotAnswer(agentId, CallId, status);
            await _grain.RejectAsync(agentId, epoch);
        }
        else if (_latest is { State: CallState.Connecting } && _latest.QueueId is { } queueId)
        {
            // Accepted on the desktop but the phone failed: the caller goes back to the queue.
            await _grain.TransferAsync(new TransferRequest { Kind = TransferKind.Queue, Target = queueId, Note = $"agent phone failed ({status})", RequestedByAgentId = agentId });
        }
    }

    /// <summary>The agent's phone hung up. True when the call is over for the caller.</summary>
    private async Task<bool> OnAgentHungUpAsync()
    {
        if (_consultLeg is { Answered: true } && _agentLeg?.AgentId is { } holder && (await _grain.CompleteConsultAsync(holder)).Succeeded)
        {
            // The consulting agent hung up while talking to the consulted party: the call is handed over (the
            // grain's change moves the caller to the consulted leg).
            return false;
        }

        var wasTalking = _bridge is not null || _consultLeg is not null;
        var agentId = _agentLeg?.AgentId;
        await DropAgentLegAsync();
        if (agentId is null)
        {
            // The external party of a transfer hung up.
            await ByeCallerAsync();
            return true;
        }

        using var hangUp = StartHangUpSpan("agent");
        await _grain.HangUpAsync(CallParty.Agent);
        if (wasTalking)
        {
            await RunSurveyAsync();
        }

        await ByeCallerAsync();
        return true;
    }

    private async Task OnReferAsync(AgentReferred referred)
    {
        var agentId = referred.Leg.AgentId ?? "";
        var transfer = TransferTarget.FromReferTo(referred.Target, _edge.IsQueue, _edge.IsAgent, agentId);
        var result = transfer is null
            ? new CommandResult(CommandStatus.InvalidArgument, "unreadable Refer-To")
            : await _grain.TransferAsync(transfer);
        await NotifyReferOutcomeAsync(referred.Leg, result.Succeeded ? "SIP/2.0 200 OK" : "SIP/2.0 603 Declined");
        LogTransfer(CallId, referred.Target, result.Status);

        // The grain's change (Queued, or Ended as TransferredOut) moves the caller on.
    }

    private async Task NotifyReferOutcomeAsync(AgentLeg leg, string statusLine)
    {
        if (leg.Dialog is not { } dialog)
        {
            return;
        }

        var notify = dialog.CreateRequest(SipMethods.Notify);
        notify.Headers.Add("Event", "refer");
        notify.Headers.Add("Subscription-State", "terminated;reason=noresource");
        notify.Headers.Add(SipHeaderNames.ContentType, "message/sipfrag;version=2.0");
        notify.Body = Encoding.UTF8.GetBytes(statusLine + "\r\n");
        await _edge.Signalling.SendAsync(notify, leg.Destination, leg.Protocol);
    }

    /// <summary>
    /// Bridges the caller to a party outside the contact center until either hangs up: dials <paramref name="target"/>,
    /// or takes over <paramref name="connected"/>, the leg of a consult already talking.
    /// </summary>
    private async Task<bool> BridgeExternalAsync(string target, AgentLeg? connected = null)
    {
        AgentLeg leg;
        if (connected is not null)
        {
            leg = connected;
            _agentLeg = leg;
            Bridge(leg);
        }
        else
        {
            if (DialExternal(target) is not { } dialled)
            {
                await PlayToCallerAsync(["all-busy"]);
                await ByeCallerAsync();
                return true;
            }

            leg = dialled;
            _agentLeg = leg;
            PlayMusicOnHold();
            _ = leg.RingAsync(_callerNumber, "Transfer", Post);
        }

        while (true)
        {
            switch (await NextAsync())
            {
                case AgentAnswered { Leg: var answered } when answered == leg:
                    Bridge(leg);
                    break;
                case AgentFailed { Leg: var failed } when failed == leg:
                    _agentLeg = null;
                    await PlayToCallerAsync(["all-busy"]);
                    await ByeCallerAsync();
                    return true;
                case AgentHungUp { Leg: var hungUp } when hungUp == leg:
                    await DropAgentLegAsync();
                    await ByeCallerAsync();
                    return true;
            }
        }
    }

    /// <summary>A leg towards a URI outside the contact center (not yet ringing); null when the URI cannot be reached.</summary>
    private AgentLeg? DialExternal(string target)
    {
        if (!AddressUri.TryParse(target, out var uri) || Signalling.SipSignalling.Resolve(uri, out var protocol) is not { } destination)
        {
            return null;
        }

        var leg = new AgentLeg(_edge.Signalling, RtpEndpoint.Open(_edge.Ports, _edge.MediaClock), null, null, false, uri, destination, protocol);
        _edge.LegsBySipCallId[leg.CallId] = this;
        return leg;
    }

    /// <summary>
    /// The grains started a consult: the caller hears music on hold while the edge rings the consulted party
    /// (a colleague's phone or a partner expert's URI) and, once answered, bridges it to the consulting agent.
    /// </summary>
    private async Task StartConsultAsync(Consultation consult)
    {
        _bridge?.Dispose();
        _bridge = null;
        PlayMusicOnHold();
        AgentLeg? leg;
        if (consult.Kind == TransferKind.Agent)
        {
            var status = await _edge.Grains.GetGrain<IAgentGrain>(consult.Target).GetStatusAsync();
            leg = status.PhoneContact is { } contact && AddressUri.TryParse(contact, out var phone)
                && Signalling.SipSignalling.Resolve(phone, out var protocol) is { } destination
                ? new AgentLeg(_edge.Signalling, RtpEndpoint.Open(_edge.Ports, _edge.MediaClock), consult.Target, null, false, phone, destination, protocol)
                : null;
            if (leg is not null)
            {
                _edge.LegsBySipCallId[leg.CallId] = this;
            }
        }
        else
        {
            leg = DialExternal(consult.Target);
        }

        if (leg is null)
        {
            LogConsultUnreachable(CallId, consult.Target);
            await _grain.CancelConsultAsync(null, "consulted party unreachable");
            return;
        }

        _consultLeg = leg;
        _ = leg.RingAsync(_callerNumber, "Consult " + (_agentLeg?.AgentId ?? "agent"), Post);
    }

    private async Task OnConsultAnsweredAsync(AgentLeg leg)
    {
        if (_agentLeg is { Answered: true, Ended: false } agentLeg)
        {
            _consultBridge?.Dispose();
            _consultBridge = new MediaBridge(agentLeg.Media, leg.Media);
        }

        await _grain.ConsultAnsweredAsync();
    }

    /// <summary>The consult was completed to a colleague: the consulting agent leaves, the consulted agent talks to the caller.</summary>
    private async Task HandOverToConsultLegAsync()
    {
        _consultBridge?.Dispose();
        _consultBridge = null;
        var leaving = _agentLeg;
        _agentLeg = _consultLeg;
        _consultLeg = null;
        if (leaving is not null)
        {
            _edge.LegsBySipCallId.TryRemove(leaving.CallId, out _);
            await leaving.DisposeAsync();
        }

        if (_agentLeg is { Answered: true } taking)
        {
            Bridge(taking);
        }

        // Still ringing: AgentAnswered bridges it.
    }

    /// <summary>Ends the consulted party's leg (BYE, or CANCEL while it rings) and its bridge to the agent.</summary>
    private async Task DropConsultLegAsync()
    {
        _consultBridge?.Dispose();
        _consultBridge = null;
        if (_consultLeg is not { } leg)
        {
            return;
        }

        _consultLeg = null;
        _edge.LegsBySipCallId.TryRemove(leg.CallId, out _);
        await leg.DisposeAsync();
    }

    private async Task RunSurveyAsync()
    {
        if (!_edge.Options.Survey || _callerGone)
        {
            return;
        }

        var rating = await CollectDigitsAsync(["survey"], 1);
        if (rating.Length == 1 && rating[0] is >= '1' and <= '5')
        {
            await _grain.RecordSurveyAsync(rating[0] - '0');
            await PlayToCallerAsync(["thank-you"]);
        }
    }

    private async Task AnnounceAsync()
    {
        QueuePlace? place;
        try
        {
            place = await _grain.GetQueuePlaceAsync();
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            // A silo is being replaced: the caller keeps the music, and the next announcement tells the place.
            LogAnnouncementSkipped(exception, CallId);
            return;
        }

        if (place is null)
        {
            return;
        }

        var prompts = new List<string> { "queue-position" };
        prompts.AddRange(SpokenNumber(place.Position));
        prompts.Add("in-queue");
        prompts.Add("expected-wait");
        var minutes = (int)Math.Ceiling(place.ExpectedWaitSeconds / 60);
        if (minutes < 1)
        {
            prompts.Add("less-than-a-minute");
        }
        else
        {
            prompts.AddRange(SpokenNumber(minutes));
            prompts.Add("minutes");
        }

        prompts.Add("callback-offer");
        if (await PlayInterruptiblyAsync(prompts) is { } digit)
        {
            // A key pressed during the announcement counts as pressed.
            Post(new CallerDigit(digit));
        }

        PlayMusicOnHold();
    }

    private static IEnumerable<string> SpokenNumber(int value) =>
        value <= 20 ? [value.ToString(CultureInfo.InvariantCulture)] : value.ToString(CultureInfo.InvariantCulture).Select(c => c.ToString());

    private void Bridge(AgentLeg leg)
    {
        _announcementTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _bridge?.Dispose();
        _bridge = new MediaBridge(_callerMedia!, leg.Media);
        if (_edge.Options.RecordingDirectory is { Length: > 0 } directory && leg.AgentId is not null)
        {
            Directory.CreateDirectory(directory);
            _recorder ??= new CallRecorder(Path.Combine(directory, CallId + ".wav"), _edge.MediaClock);
            _bridge.Attach(_recorder);
        }
    }

    private void ApplyHold(bool held)
    {
        if (_bridge is null)
        {
            return;
        }

        if (held)
        {
            _bridge.Hold(MediaSources.Loop(_edge.Prompts.Get("music-on-hold")));
        }
        else
        {
            _bridge.Resume();
        }
    }

    private void ApplyRecordingPause(bool paused)
    {
        if (_recorder is null || _recorder.IsPaused == paused)
        {
            return;
        }

        if (paused)
        {
            _recorder.Pause();
        }
        else
        {
            _recorder.Resume();
        }
    }

    private async Task CancelAgentLegAsync()
    {
        if (_agentLeg is not { } leg)
        {
            return;
        }

        _agentLeg = null;
        _edge.LegsBySipCallId.TryRemove(leg.CallId, out _);
        EdgeTelemetry.MediaClosed(leg.Media, _edge.Options.SiteId, "agent");
        await leg.DisposeAsync();
    }

    /// <summary>Ends the agent's leg and the bridge (the recording stops with them).</summary>
    private async Task DropAgentLegAsync()
    {
        await DropConsultLegAsync();
        _bridge?.Dispose();
        _bridge = null;
        if (_recorder is { } recorder)
        {
            _recorder = null;
            await recorder.StopAsync();
        }

        await CancelAgentLegAsync();
    }

    /// <summary>Announcements run while the caller waits; a transfer back to a queue starts them again.</summary>
    private void StartAnnouncements()
    {
        var every = TimeSpan.FromSeconds(Math.Max(5, _edge.Options.AnnounceEverySeconds));
        _announcementTimer ??= _edge.Time.CreateTimer(_ => Post(new AnnouncementDue()), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _announcementTimer.Change(every, every);
    }

    private void PlayMusicOnHold() => _callerMedia?.Play(MediaSources.Loop(_edge.Prompts.Get("music-on-hold")));

    /// <summary>Plays prompts to the caller to the end; events that come meanwhile wait their turn (the caller leaving ends it).</summary>
    private async Task PlayToCallerAsync(IReadOnlyList<string> prompts)
    {
        if (_callerGone || _callerMedia is null)
        {
            return;
        }

        var playing = _callerMedia.PlayAsync(MediaSources.Sequence(prompts.Where(_edge.Prompts.Contains).Select(_edge.Prompts.Get)));
        var held = new List<CallEvent>();
        while (!playing.IsCompleted)
        {
            var read = _events.Reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(playing, read);
            while (_events.Reader.TryRead(out var callEvent))
            {
                if (callEvent is CallerLeft)
                {
                    _callerGone = true;
                    RequeueHeld(held);
                    throw new CallerLeftException();
                }

                if (callEvent is not AnnouncementDue)
                {
                    held.Add(callEvent);
                }
            }
        }

        RequeueHeld(held);
    }

    /// <summary>Plays prompts until the end or a key; returns the key (other events wait their turn).</summary>
    private async Task<char?> PlayInterruptiblyAsync(IReadOnlyList<string> prompts)
    {
        var digits = await CollectDigitsAsync(prompts, 1, waitAfter: false);
        return digits.Length == 1 ? digits[0] : null;
    }

    /// <summary>
    /// Plays prompts and collects up to <paramref name="count"/> digits; a key stops the prompts (barge-in). After the
    /// prompts the caller has the digit time-out for each digit. Other events wait their turn.
    /// </summary>
    private async Task<string> CollectDigitsAsync(IReadOnlyList<string> prompts, int count, bool waitAfter = true)
    {
        var collected = new StringBuilder();
        var held = new List<CallEvent>();
        var playing = _callerMedia!.PlayAsync(MediaSources.Sequence(prompts.Where(_edge.Prompts.Contains).Select(_edge.Prompts.Get)));
        var digitTime = TimeSpan.FromSeconds(_edge.Options.DigitTimeoutSeconds);
        DateTimeOffset? deadline = null;
        try
        {
            while (collected.Length < count)
            {
                CancellationTokenSource? timeout = null;
                if (playing.IsCompleted)
                {
                    if (!waitAfter)
                    {
                        break;
                    }

                    // Each digit has its own time-out from the end of the prompts or the previous digit; other events do not extend it.
                    deadline ??= _edge.Time.GetUtcNow() + digitTime;
                    var left = deadline.Value - _edge.Time.GetUtcNow();
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    timeout = new CancellationTokenSource(left, _edge.Time);
                }

                using (timeout)
                {
                    var read = _events.Reader.WaitToReadAsync(timeout?.Token ?? CancellationToken.None).AsTask();
                    await Task.WhenAny(playing, read);
                    if (playing.IsCompleted && !read.IsCompleted && timeout is null)
                    {
                        continue;
                    }

                    await Task.WhenAny(read);
                    if (read.IsCanceled)
                    {
                        break;
                    }
                }

                while (collected.Length < count && _events.Reader.TryRead(out var callEvent))
                {
                    switch (callEvent)
                    {
                        case CallerLeft:
                            _callerGone = true;
                            throw new CallerLeftException();
                        case CallerDigit { Digit: var digit }:
                            collected.Append(digit);
                            deadline = null;
                            _callerMedia.Play(null);
                            break;
                        case AnnouncementDue:
                            // Periodic: one missed while the caller is busy with prompts is simply skipped.
                            break;
                        default:
                            held.Add(callEvent);
                            break;
                    }
                }
            }
        }
        finally
        {
            RequeueHeld(held);
        }

        return collected.ToString();
    }

    private void RequeueHeld(List<CallEvent> held)
    {
        foreach (var callEvent in held)
        {
            Post(callEvent);
        }

        held.Clear();
    }

    private async Task<CallEvent> NextAsync()
    {
        var next = await _events.Reader.ReadAsync();
        if (next is CallerLeft)
        {
            _callerGone = true;
            throw new CallerLeftException();
        }

        return next;
    }

    private async Task ByeCallerAsync()
    {
        if (_callerGone || _callerDialog is null)
        {
            return;
        }

        _callerGone = true;
        var bye = _callerDialog.CreateBye();
        await _edge.Signalling.SendAsync(bye, _invite.RemoteEndPoint, _invite.Transport.Protocol);
    }

    private SipResponse AnswerCallerReInvite(SipRequest request)
    {
        var response = SipMessageFactory.CreateResponse(request, 200, "OK");
        response.Headers.Add(SipHeaderNames.Contact, _edge.Signalling.ContactFor("edge", _invite.Transport.Protocol).ToString());
        if (_callerMedia is not null && request.Body.Length > 0 && SdpSessionDescription.TryParse(Encoding.UTF8.GetString(request.Body), out var offer, out _))
        {
            var sdp = new SdpOfferAnswer(_edge.Signalling.AdvertisedHost, _callerMedia.LocalEndPoint.Port);
            var answer = sdp.CreateAnswer(offer);
            if (answer.Audio is { } audio)
            {
                NegotiatedMedia.Apply(_callerMedia, audio);
            }

            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = answer.Answer.ToBytes();
        }

        return response;
    }

    /// <summary>
    /// Tells the call grain every few seconds that this edge still carries the call: it keeps the grain from ending the
    /// call as lost with its edge, and re-adds this observer to an activation that moved silo (the snapshot catches up).
    /// </summary>
    private async Task RenewLeaseAsync(CancellationToken ended)
    {
        while (!ended.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(LeaseRenewEvery, _edge.Time, ended);
                if (_observerReference is { } reference)
                {
                    ((ICallObserver)this).OnCallChanged(CallNotice.Of(await _grain.EdgeAliveAsync(reference)));
                }
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException)
            {
                // A silo is being replaced: the next renewal reaches the call's new activation.
                LogLeaseRenewalFailed(exception, CallId);
            }
        }
    }

    private async Task CleanUpAsync()
    {
        await _ended.CancelAsync();
        if (_leaseRenewal is { } renewal)
        {
            await renewal;
        }

        _ended.Dispose();

        _announcementTimer?.Dispose();
        _edge.LegsBySipCallId.TryRemove(_callerSipCallId, out _);
        _edge.Signalling.Forget(_callerSipCallId);
        try
        {
            await DropAgentLegAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCallFailed(exception, CallId);
        }

        if (_callerMedia is not null)
        {
            EdgeTelemetry.MediaClosed(_callerMedia, _edge.Options.SiteId, "caller");
            await _callerMedia.DisposeAsync();
        }

        if (_observerReference is { } reference)
        {
            // The grain's last notice (the end) is one-way and may arrive after the call is over here: keep the
            // reference a while so it lands on this object (which ignores it) rather than on nothing.
            _ = Task.Delay(NoticeGrace, _edge.Time).ContinueWith(_ => _edge.Grains.DeleteObjectReference<ICallObserver>(reference), TaskScheduler.Default);
        }
    }

    private sealed class CallerLeftException : Exception;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Edge call {CallId}: {Event}")]
    private partial void LogEvent(string callId, CallEvent @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} skipped a queue announcement: the call grain did not answer")]
    private partial void LogAnnouncementSkipped(Exception exception, string callId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} could not renew its lease on the call grain; trying again")]
    private partial void LogLeaseRenewalFailed(Exception exception, string callId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Edge call {CallId} failed")]
    private partial void LogCallFailed(Exception exception, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} was not queued: {Status} {Message}")]
    private partial void LogNotQueued(string callId, EnqueueStatus status, string? message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} has no reachable phone for call {CallId}")]
    private partial void LogNoPhone(string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: the grains refused agent {AgentId}'s answer: {Message}")]
    private partial void LogAcceptRefused(string callId, string agentId, string? message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s phone did not take call {CallId}: {Status}")]
    private partial void LogAgentDidNotAnswer(string agentId, string callId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the consulted party {Target} cannot be reached")]
    private partial void LogConsultUnreachable(string callId, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: REFER to {Target} gave {Status}")]
    private partial void LogTransfer(string callId, string target, CommandStatus status);
}
