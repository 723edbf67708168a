using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Signalling;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Reliability;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Calls;

/// <summary>The caller's side of the B2BUA: its INVITE, our answer, its dialog and its RTP endpoint.</summary>
internal sealed class CallerLeg(EdgeServices edge, SipServerTransaction invite, CallInbox inbox)
{
    private SipDialog? _dialog;

    private LegMediaSession? _session;

    private ReliableProvisionalSender? _reliable;

    // 1 once a final response to the INVITE is decided (our 2xx, or the 5xx for a reliable provisional never PRACKed).
    private int _finalDecided;

    /// <summary>The caller's RTP endpoint, open once the SDP of our 200 is prepared.</summary>
    public RtpEndpoint? Media => _session?.Media;

    /// <summary>The caller's dialog once answered (null before).</summary>
    public SipDialog? Dialog => _dialog;

    /// <summary>
    /// The SDP of our 200, with the caller's RTP endpoint open: our answer to the caller's offer, or our offer when the
    /// INVITE had none (a late offer, answered in the ACK). Null (after a 488) when the offer had no usable audio.
    /// </summary>
    public SdpSessionDescription? PrepareAnswer()
    {
        var request = invite.Request;
        var offer = LegMediaSession.Parse(request.Body);
        if (request.Body.Length > 0 && offer is null)
        {
            invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        var media = RtpEndpoint.Open(edge.Ports, edge.MediaClock);
        media.DtmfReceived += digit => inbox.Post(new CallerDigit(digit));
        _session = new LegMediaSession(media, edge.Signalling.AdvertisedHost);
        if (offer is null)
        {
            return _session.Offer();
        }

        if (_session.Answer(offer) is not { } answer)
        {
            invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        return answer;
    }

    /// <summary>
    /// The caller's ACK: when our 200 carried the offer, it carries the answer. False when that answer is missing or
    /// unusable: the call cannot go on (RFC 3261 13.3.1.4, RFC 3264 section 5).
    /// </summary>
    public bool OnAck(SipRequest ack) => _session is not { AwaitingAnswer: true } session || session.AcceptAnswer(ack.Body);

    /// <summary>
    /// Ringing for the configured time (the caller may give up: CANCEL), then 200 OK with our SDP answer. When the
    /// INVITE requires or supports 100rel, the 180 goes reliably (RFC 3262): repeated until the caller's PRACK, and
    /// without one by 64·T1 the INVITE gets 500 and the call ends as if the caller had left.
    /// </summary>
    public async Task AnswerAsync(SdpSessionDescription answer, double? ringSecondsOfFlow)
    {
        var request = invite.Request;
        var toTag = SipMessageFactory.NewTag();
        var ringSeconds = ringSecondsOfFlow ?? edge.Options.RingSeconds;
        if (ringSeconds > 0)
        {
            Ring(toTag);
            using var ringing = new CancellationTokenSource(TimeSpan.FromSeconds(ringSeconds), edge.Time);
            try
            {
                await inbox.DiscardUntilAsync(ringing.Token);
            }
            catch (OperationCanceledException) when (ringing.IsCancellationRequested)
            {
                // Rang long enough: answer.
            }
        }

        if (_reliable is { } reliable)
        {
            // RFC 3262 section 3: no 2xx while a reliable provisional with SDP is unacknowledged (ours carry none).
            await reliable.ReadyForSuccessAsync();
            reliable.OnFinalResponse();
        }

        if (Interlocked.Exchange(ref _finalDecided, 1) != 0)
        {
            throw inbox.CallerLeftNow();
        }

        var ok = SipMessageFactory.CreateResponse(request, 200, "OK", toTag);
        ok.Headers.Add(SipHeaderNames.Contact, edge.Signalling.ContactFor("edge", invite.Transport.Protocol).ToString());
        SipCapabilities.Describe(ok, SipCapabilities.CallerDialogMethods);
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = answer.ToBytes();
        _dialog = SipDialog.CreateAsUas(request, ok);
        _dialog.LocalContact = edge.Signalling.ContactFor("edge", invite.Transport.Protocol);
        edge.Signalling.SendAnswer(invite, ok);
    }

    /// <summary>A PRACK from the caller: true when it acknowledges our outstanding reliable provisional (answer 200), false for 481.</summary>
    public bool OnPrack(SipRequest prack) => _reliable?.OnPrack(prack) ?? false;

    public void PlayMusicOnHold() => Media?.Play(MediaSources.Loop(edge.Prompts.Get("music-on-hold")));

    /// <summary>Ends the caller's dialog with our BYE, unless the caller already left (or was sent one).</summary>
    public async Task ByeAsync()
    {
        if (inbox.CallerGone || _dialog is null)
        {
            return;
        }

        inbox.MarkCallerGone();
        var bye = _dialog.CreateBye();
        await edge.Signalling.SendAsync(bye, invite.RemoteEndPoint, invite.Transport.Protocol);
    }

    /// <summary>
    /// Answers the caller's re-INVITE or UPDATE (see <see cref="LegMediaSession.Reply"/>); the 2xx to a re-INVITE is
    /// repeated until its ACK.
    /// </summary>
    public void AnswerInDialog(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (_session is null)
        {
            transaction.Respond(491, "Request Pending");
            return;
        }

        var reply = _session.Reply(request);
        if (!reply.Accepted)
        {
            transaction.Respond(reply.StatusCode, reply.ReasonPhrase);
            return;
        }

        var response = SipMessageFactory.CreateResponse(request, 200, "OK");
        response.Headers.Add(SipHeaderNames.Contact, edge.Signalling.ContactFor("edge", invite.Transport.Protocol).ToString());
        SipCapabilities.Describe(response, SipCapabilities.CallerDialogMethods);
        if (reply.Sdp is { } sdp)
        {
            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = sdp.ToBytes();
        }

        edge.Signalling.SendAnswer(transaction, response);
    }

    private void Ring(string toTag)
    {
        var ringing = SipMessageFactory.CreateResponse(invite.Request, 180, "Ringing", toTag);
        if (!ReliableProvisionalHeaders.AcceptsReliable(invite.Request))
        {
            invite.SendResponse(ringing);
            return;
        }

        // A reliable 180 creates the early dialog the PRACK is sent in: it names where to send it.
        ringing.Headers.Add(SipHeaderNames.Contact, edge.Signalling.ContactFor("edge", invite.Transport.Protocol).ToString());
        SipCapabilities.Describe(ringing, SipCapabilities.CallerDialogMethods);
        var reliable = new ReliableProvisionalSender(invite.Request, invite.SendResponse, edge.Time, edge.Signalling.T1);
        reliable.Unacknowledged += _ =>
        {
            if (Interlocked.Exchange(ref _finalDecided, 1) == 0)
            {
                reliable.OnFinalResponse();
                invite.Respond(500, "Reliable Provisional Not Acknowledged");
                inbox.Post(new CallerLeft());
            }
        };
        _reliable = reliable;
        reliable.Send(ringing);
    }

    /// <summary>Closes the caller's RTP endpoint (and counts its media).</summary>
    public async Task CloseMediaAsync()
    {
        _reliable?.Dispose();
        if (Media is not null)
        {
            edge.Metrics.MediaClosed(Media, edge.Options.SiteId, "caller");
            await Media.DisposeAsync();
        }
    }
}
