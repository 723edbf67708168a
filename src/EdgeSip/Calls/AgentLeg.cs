using System.Net;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Headers;
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
    private readonly SdpOfferAnswer _sdp;
    private readonly SdpSessionDescription _offer;
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
        _sdp = new SdpOfferAnswer(signalling.AdvertisedHost, media.LocalEndPoint.Port);
        _offer = _sdp.CreateOffer();
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
        invite.Headers.Add("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS");
        invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        invite.Body = _offer.ToBytes();

        var response = await _signalling.SendAsync(invite, Destination, Protocol, onProvisional: provisional => OnProvisional(provisional, post), onStarted: transaction => _transaction = transaction as SipInviteClientTransaction);
        if (response.StatusCode is >= 200 and < 300)
        {
            Dialog = SipDialog.CreateAsUac(invite, response);
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
    /// A re-INVITE from the phone: answers 200 with our SDP and says whether the phone holds the call. The 200 is
    /// repeated over UDP until the phone's ACK, as every 2xx to an INVITE (the transaction does not do it).
    /// </summary>
    public bool AnswerReInvite(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var response = SipMessageFactory.CreateResponse(request, 200, "OK");
        response.Headers.Add(SipHeaderNames.Contact, _signalling.ContactFor("edge", Protocol).ToString());
        var held = false;
        if (request.Body.Length > 0 && SdpSessionDescription.TryParse(System.Text.Encoding.UTF8.GetString(request.Body), out var offer, out _))
        {
            var answer = _sdp.CreateAnswer(offer);
            if (answer.Audio is { } audio)
            {
                held = audio.RemoteHolds;
                ApplyRemote(audio);
            }

            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = answer.Answer.ToBytes();
        }

        _signalling.SendAnswer(transaction, response);
        return held;
    }

    public async ValueTask DisposeAsync()
    {
        await HangUpAsync();
        await Media.DisposeAsync();
    }

    private bool TryApplyAnswer(SipResponse response)
    {
        if (response.Body.Length == 0 || !SdpSessionDescription.TryParse(System.Text.Encoding.UTF8.GetString(response.Body), out var answer, out _))
        {
            return false;
        }

        if (_sdp.ReadAnswer(_offer, answer) is not { } audio)
        {
            return false;
        }

        ApplyRemote(audio);
        return true;
    }

    private void ApplyRemote(SdpAudioSession audio) => NegotiatedMedia.Apply(Media, audio);
}
