using System.Text;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Calls;

/// <summary>The caller's side of the B2BUA: its INVITE, our answer, its dialog and its RTP endpoint.</summary>
internal sealed class CallerLeg(EdgeServices edge, SipServerTransaction invite, CallInbox inbox)
{
    private SipDialog? _dialog;

    /// <summary>The caller's RTP endpoint, open once an answer is prepared.</summary>
    public RtpEndpoint? Media { get; private set; }

    /// <summary>Our SDP answer to the caller's offer, with the caller's RTP endpoint open; null (after a 488) when no usable audio was offered.</summary>
    public SdpSessionDescription? PrepareAnswer()
    {
        var request = invite.Request;
        if (request.Body.Length == 0 || !SdpSessionDescription.TryParse(Encoding.UTF8.GetString(request.Body), out var offer, out _))
        {
            invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        Media = RtpEndpoint.Open(edge.Ports, edge.MediaClock);
        Media.DtmfReceived += digit => inbox.Post(new CallerDigit(digit));
        var sdp = new SdpOfferAnswer(edge.Signalling.AdvertisedHost, Media.LocalEndPoint.Port);
        var answer = sdp.CreateAnswer(offer);
        if (answer.Audio is not { } audio)
        {
            invite.Respond(488, "Not Acceptable Here");
            return null;
        }

        NegotiatedMedia.Apply(Media, audio);
        return answer.Answer;
    }

    /// <summary>Ringing for the configured time (the caller may give up: CANCEL), then 200 OK with our SDP answer.</summary>
    public async Task AnswerAsync(SdpSessionDescription answer, double? ringSecondsOfFlow)
    {
        var request = invite.Request;
        var toTag = SipMessageFactory.NewTag();
        var ringSeconds = ringSecondsOfFlow ?? edge.Options.RingSeconds;
        if (ringSeconds > 0)
        {
            invite.Respond(180, "Ringing", toTag);
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

        var ok = SipMessageFactory.CreateResponse(request, 200, "OK", toTag);
        ok.Headers.Add(SipHeaderNames.Contact, edge.Signalling.ContactFor("edge", invite.Transport.Protocol).ToString());
        ok.Headers.Add("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS");
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = answer.ToBytes();
        _dialog = SipDialog.CreateAsUas(request, ok);
        _dialog.LocalContact = edge.Signalling.ContactFor("edge", invite.Transport.Protocol);
        edge.Signalling.SendAnswer(invite, ok);
    }

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

    /// <summary>200 OK to the caller's re-INVITE, with our answer to any new offer (applied to the caller's media).</summary>
    public SipResponse AnswerReInvite(SipRequest request)
    {
        var response = SipMessageFactory.CreateResponse(request, 200, "OK");
        response.Headers.Add(SipHeaderNames.Contact, edge.Signalling.ContactFor("edge", invite.Transport.Protocol).ToString());
        if (Media is not null && request.Body.Length > 0 && SdpSessionDescription.TryParse(Encoding.UTF8.GetString(request.Body), out var offer, out _))
        {
            var sdp = new SdpOfferAnswer(edge.Signalling.AdvertisedHost, Media.LocalEndPoint.Port);
            var answer = sdp.CreateAnswer(offer);
            if (answer.Audio is { } audio)
            {
                NegotiatedMedia.Apply(Media, audio);
            }

            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = answer.Answer.ToBytes();
        }

        return response;
    }

    /// <summary>Closes the caller's RTP endpoint (and counts its media).</summary>
    public async Task CloseMediaAsync()
    {
        if (Media is not null)
        {
            edge.Metrics.MediaClosed(Media, edge.Options.SiteId, "caller");
            await Media.DisposeAsync();
        }
    }
}
