using System.Security.Cryptography;
using System.Text;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip;
using CallCenter.Sip.Sdp;

namespace CallCenter.EdgeSip.Calls;

/// <summary>What a leg's in-dialog INVITE or UPDATE gets: the status, and the SDP of the answer (or of our offer).</summary>
internal readonly record struct MediaReply(int StatusCode, SdpSessionDescription? Sdp, bool? RemoteHolds)
{
    public bool Accepted => StatusCode is >= 200 and < 300;

    public string ReasonPhrase => StatusCode switch
    {
        491 => "Request Pending",
        488 => "Not Acceptable Here",
        _ => "OK",
    };
}

/// <summary>
/// One leg's RFC 3264 offer/answer with its RTP endpoint: one o= session id for the leg's life and a version that goes
/// up only when the SDP we send changes (section 8); offers answered (direction mirrored, applied to what the endpoint
/// sends); our own offer when the peer sent none (a late offer: the answer comes in the ACK, RFC 3261 13.2.1, 14.2).
/// </summary>
internal sealed class LegMediaSession
{
    private readonly SdpOfferAnswer _sdp;
    private SdpSessionDescription? _pendingOffer;

    public LegMediaSession(RtpEndpoint media, string advertisedHost)
    {
        Media = media;
        _sdp = new SdpOfferAnswer(advertisedHost, media.LocalEndPoint.Port, sessionId: NewSessionId());
    }

    public RtpEndpoint Media { get; }

    /// <summary>What the last completed exchange settled; null before one.</summary>
    public SdpAudioSession? Current { get; private set; }

    /// <summary>True while our offer (sent in a 2xx) waits for its answer in the ACK.</summary>
    public bool AwaitingAnswer => _pendingOffer is not null;

    /// <summary>Our answer to <paramref name="offer"/>, applied to the endpoint; null when no audio stream is acceptable (the session stays as it was).</summary>
    public SdpSessionDescription? Answer(SdpSessionDescription offer)
    {
        var result = _sdp.CreateAnswer(offer);
        if (result.Audio is not { } audio)
        {
            return null;
        }

        _pendingOffer = null;
        Apply(audio);
        return result.Answer;
    }

    /// <summary>Our offer; the peer's answer is read by <see cref="AcceptAnswer"/>.</summary>
    public SdpSessionDescription Offer()
    {
        _pendingOffer = _sdp.CreateOffer();
        return _pendingOffer;
    }

    /// <summary>Reads the peer's answer to our pending offer and applies it; false when there is none or it is unusable.</summary>
    public bool AcceptAnswer(byte[] body)
    {
        if (_pendingOffer is not { } offer)
        {
            return false;
        }

        _pendingOffer = null;
        if (Parse(body) is not { } answer || _sdp.ReadAnswer(offer, answer) is not { } audio)
        {
            return false;
        }

        Apply(audio);
        return true;
    }

    /// <summary>
    /// The reply to an in-dialog INVITE or UPDATE: 200 with our answer to its offer; a re-INVITE without SDP gets our
    /// offer (answered in its ACK); an UPDATE without SDP gets 200 without a body; an offer we cannot take gets 488
    /// and changes nothing (RFC 3264 section 6, RFC 3311 section 5.2); one that crosses our pending offer gets 491.
    /// </summary>
    public MediaReply Reply(SipRequest request)
    {
        // RFC 3261 14.2, RFC 3311 5.2: while our offer waits for its answer, a new offer (or a re-INVITE asking for
        // one) crosses it: 491, and the peer retries after a random wait. An UPDATE without SDP only refreshes.
        if (AwaitingAnswer && (request.Method == SipMethods.Invite || request.Body.Length > 0))
        {
            return new MediaReply(491, null, null);
        }

        if (request.Body.Length == 0)
        {
            return request.Method == SipMethods.Invite ? new MediaReply(200, Offer(), null) : new MediaReply(200, null, null);
        }

        if (Parse(request.Body) is not { } offer || Answer(offer) is not { } answer)
        {
            return new MediaReply(488, null, null);
        }

        return new MediaReply(200, answer, Current?.RemoteHolds);
    }

    public static SdpSessionDescription? Parse(byte[] body) =>
        body.Length > 0 && SdpSessionDescription.TryParse(Encoding.UTF8.GetString(body), out var sdp, out _) ? sdp : null;

    // Below 2^63, as RFC 4566 recommends for an NTP-like value that fits a signed 64-bit field.
    private static ulong NewSessionId() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 2;

    private void Apply(SdpAudioSession audio)
    {
        Current = audio;
        NegotiatedMedia.Apply(Media, audio);
    }
}
