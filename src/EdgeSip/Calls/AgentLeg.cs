using System.Net;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Reliability;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The edge's outbound leg to an agent's phone (or a partner expert's URI): the INVITE with our SDP offer, the
/// dialog once answered, and the RTP endpoint the bridge relays through.
/// </summary>
internal sealed class AgentLeg : IAsyncDisposable
{
    private readonly SipSignalling _signalling;
    private readonly LegMediaSession _session;
    private readonly ReliableProvisionalReceiver _reliable = new();
    private SipRequest? _invite;
    private SipDialog? _early;
    private bool _answeredEarly;
    private SipInviteClientTransaction? _transaction;
    private bool _cancelled;
    private bool _byeSent;

    public AgentLeg(SipSignalling signalling, RtpEndpoint media, string? agentId, long? epoch, bool acceptOnAnswer, AddressUri target, IPEndPoint destination, string protocol)
    {
        _signalling = signalling;
        Media = media;
        AgentId = agentId;
        Epoch = epoch;
        AcceptOnAnswer = acceptOnAnswer;
        Target = target;
        Destination = destination;
        Protocol = protocol;
        _session = new LegMediaSession(media, signalling.AdvertisedHost);
    }

    /// <summary>Null for an external transfer target.</summary>
    public string? AgentId { get; }

    /// <summary>The offer's epoch when the phone rings for an offer; null when the agent already accepted elsewhere.</summary>
    public long? Epoch { get; }

    /// <summary>True when answering the phone is the agent's accept (the edge then accepts the offer in the grains).</summary>
    public bool AcceptOnAnswer { get; }

    public AddressUri Target { get; }

    public IPEndPoint Destination { get; }

    public string Protocol { get; }

    public RtpEndpoint Media { get; }

    public SipDialog? Dialog { get; private set; }

    public string CallId { get; } = SipMessageFactory.NewCallId();

    public bool Answered => Dialog is not null;

    public bool Ended { get; private set; }

    /// <summary>Sends the INVITE and reports the outcome to <paramref name="post"/> (answered or failed).</summary>
    public async Task RingAsync(string callerNumber, string displayName, Action<CallEvent> post)
    {
        var invite = new SipRequest(SipMethods.Invite, Target);
        var fromUri = new SipUri(_signalling.AdvertisedHost) { User = string.IsNullOrEmpty(callerNumber) ? "anonymous" : callerNumber };
        var from = new NameAddress(fromUri, displayName);
        from.Parameters.Set("tag", SipMessageFactory.NewTag());
        invite.Headers.Add(SipHeaderNames.MaxForwards, "70");
        invite.Headers.Add(SipHeaderNames.From, from.ToString());
        invite.Headers.Add(SipHeaderNames.To, new NameAddress(Target).ToString());
        invite.Headers.Add(SipHeaderNames.CallId, CallId);
        invite.Headers.Add(SipHeaderNames.CSeq, "1 INVITE");
        invite.Headers.Add(SipHeaderNames.Contact, _signalling.ContactFor("edge", Protocol).ToString());
        SipCapabilities.Describe(invite, SipCapabilities.AgentDialogMethods);
        invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        invite.Body = _session.Offer().ToBytes();
        _invite = invite;

        var response = await _signalling.SendAsync(invite, Destination, Protocol, onProvisional: provisional => OnProvisional(provisional, post), onStarted: transaction => _transaction = transaction as SipInviteClientTransaction);
        if (response.StatusCode is >= 200 and < 300)
        {
            Dialog = ConfirmedDialog(invite, response);
            await _signalling.SendAckAsync(Dialog.CreateAck(), Destination, Protocol);
            if (_cancelled || !TryApplyAnswer(response))
            {
                // Answered after we gave up (a CANCEL crossed the 200), or with media we cannot use: end it at once.
                await HangUpAsync();
                post(new AgentFailed(this, _cancelled ? 487 : 488));
                return;
            }

            post(new AgentAnswered(this));
            return;
        }

        Ended = true;
        post(new AgentFailed(this, response.StatusCode));
    }

    /// <summary>True once the phone said it rings (180 or 183): it was reachable, so not answering is the agent's.</summary>
    public bool Rang { get; private set; }

    private void OnProvisional(SipResponse provisional, Action<CallEvent> post)
    {
        // RFC 3262 section 4: a reliable provisional is PRACKed once and processed once; repeats and gaps are dropped.
        switch (_reliable.Receive(provisional, out var rseq))
        {
            case ProvisionalHandling.Ignore:
                return;
            case ProvisionalHandling.ProcessAndPrack when _invite is { } invite && provisional.To?.Tag is not null:
                _early ??= SipDialog.CreateAsUac(invite, provisional);
                if (provisional.Body.Length > 0 && _session.AwaitingAnswer)
                {
                    // RFC 3262 section 5: the answer may come in a reliable provisional; the 2xx need not repeat it.
                    _answeredEarly = _session.AcceptAnswer(provisional.Body);
                }

                var prack = ReliableProvisionalReceiver.CreatePrack(_early, rseq, invite);
                _ = _signalling.SendAsync(prack, Destination, Protocol);
                break;
        }

        if (provisional.StatusCode is 180 or 183 && !Rang)
        {
            Rang = true;
            post(new AgentRinging(this));
        }
    }

    /// <summary>Stops ringing (the offer was withdrawn or the caller left).</summary>
    public void Cancel()
    {
        _cancelled = true;
        _transaction?.Cancel();
    }

    /// <summary>Ends the leg: BYE when answered, CANCEL while ringing.</summary>
    public async Task HangUpAsync()
    {
        if (Dialog is null)
        {
            Ended = true;
            Cancel();
            return;
        }

        if (_byeSent || Dialog.State == SipDialogState.Terminated)
        {
            Ended = true;
            return;
        }

        _byeSent = true;
        Ended = true;
        var bye = Dialog.CreateBye();
        _signalling.Forget(CallId);
        await _signalling.SendAsync(bye, Destination, Protocol);
    }

    /// <summary>The phone hung up (its BYE was answered) or the call moved on.</summary>
    public void MarkEnded()
    {
        Ended = true;
        _byeSent = true;
        _signalling.Forget(CallId);
    }

    /// <summary>
    /// A re-INVITE or UPDATE from the phone, answered as <see cref="LegMediaSession.Reply"/> says (a 2xx to a re-INVITE
    /// is repeated over UDP until the phone's ACK). Gives whether the phone now holds the call; null when that is not
    /// known yet (our offer went in the 2xx: its ACK tells) or nothing changed.
    /// </summary>
    public bool? AnswerInDialog(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var reply = _session.Reply(request);
        if (!reply.Accepted)
        {
            transaction.Respond(reply.StatusCode, reply.ReasonPhrase);
            return null;
        }

        var response = SipMessageFactory.CreateResponse(request, 200, "OK");
        response.Headers.Add(SipHeaderNames.Contact, _signalling.ContactFor("edge", Protocol).ToString());
        SipCapabilities.Describe(response, AgentId is null ? SipCapabilities.CallerDialogMethods : SipCapabilities.AgentDialogMethods);
        if (reply.Sdp is { } sdp)
        {
            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = sdp.ToBytes();
        }

        _signalling.SendAnswer(transaction, response);
        return reply.RemoteHolds;
    }

    /// <summary>
    /// The phone's ACK to our 2xx. When that 2xx carried our offer, the ACK carries the answer: false when it is
    /// missing or unusable (the leg must end). <paramref name="remoteHolds"/> says whether the answer holds the call.
    /// </summary>
    public bool OnAck(SipRequest ack, out bool? remoteHolds)
    {
        remoteHolds = null;
        if (!_session.AwaitingAnswer)
        {
            return true;
        }

        if (!_session.AcceptAnswer(ack.Body))
        {
            return false;
        }

        remoteHolds = _session.Current?.RemoteHolds;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await HangUpAsync();
        await Media.DisposeAsync();
    }

    /// <summary>The dialog a 2xx confirms: the early one a reliable provisional created (its CSeq counts the PRACKs), else a new one.</summary>
    private SipDialog ConfirmedDialog(SipRequest invite, SipResponse response)
    {
        if (_early is { } early && early.Id.RemoteTag == response.To?.Tag)
        {
            early.OnInviteResponse(response);
            return early;
        }

        return SipDialog.CreateAsUac(invite, response);
    }

    private bool TryApplyAnswer(SipResponse response) => _answeredEarly || _session.AcceptAnswer(response.Body);
}
