namespace CallCenter.Sip.Sdp;

/// <summary>An RTP audio format we can send and receive.</summary>
public sealed record SdpCodec(int PayloadType, string EncodingName, int ClockRate, string? Fmtp = null)
{
    public const string TelephoneEventName = "telephone-event";

    public static SdpCodec Pcmu { get; } = new(0, "PCMU", 8000);

    public static SdpCodec Pcma { get; } = new(8, "PCMA", 8000);

    public bool IsTelephoneEvent => string.Equals(EncodingName, TelephoneEventName, StringComparison.OrdinalIgnoreCase);

    /// <summary>RFC 4733 telephone-event with events 0-16 (DTMF and flash) on a dynamic payload type.</summary>
    public static SdpCodec TelephoneEvent(int payloadType = 101) => new(payloadType, TelephoneEventName, 8000, "0-16");

    public SdpRtpMap ToRtpMap() => new(PayloadType, EncodingName, ClockRate);
}

/// <summary>What an offer/answer exchange settled for the audio stream.</summary>
public sealed record SdpAudioSession
{
    /// <summary>Index of the audio m-line in both offer and answer.</summary>
    public required int MediaIndex { get; init; }

    /// <summary>The audio codec, with the payload type used on the wire (the offerer's number).</summary>
    public required SdpCodec Codec { get; init; }

    /// <summary>telephone-event with the negotiated payload type, or null when the peer did not offer it.</summary>
    public SdpCodec? TelephoneEvent { get; init; }

    /// <summary>Where to send RTP (the peer's c= host and m= port).</summary>
    public required string RemoteAddress { get; init; }

    public required int RemotePort { get; init; }

    /// <summary>Our direction as written in our SDP.</summary>
    public required SdpDirection LocalDirection { get; init; }

    /// <summary>The peer put us on hold: its direction excludes receiving (sendonly/inactive) or it used c=0.0.0.0.</summary>
    public required bool RemoteHolds { get; init; }

    /// <summary>The peer's a=ptime, if any.</summary>
    public int? RemotePtime { get; init; }
}

/// <summary>The answer to an offer, and the audio session it sets up (null when no audio stream was acceptable: answer 488).</summary>
public sealed record SdpAnswerResult(SdpSessionDescription Answer, SdpAudioSession? Audio)
{
    public bool IsAcceptable => Audio is not null;
}

/// <summary>
/// The RFC 3264 offer/answer model for one audio endpoint (one RTP address and port). It builds the
/// initial offer, answers a remote offer (first common codec in the offerer's order, telephone-event
/// kept with the offerer's payload type, direction mirrored for hold, unsupported m-lines rejected with
/// port 0, m-line count and order kept), and reads the answer to its own offer. The o= line keeps one
/// session id and bumps the version only when the SDP it produces changes (RFC 3264 section 8).
/// </summary>
public sealed class SdpOfferAnswer
{
    public const string AudioProfile = "RTP/AVP";

    private readonly IReadOnlyList<SdpCodec> _audioCodecs;
    private readonly SdpCodec? _telephoneEvent;
    private ulong _version;
    private string? _lastBody;

    public SdpOfferAnswer(string localAddress, int localPort, IReadOnlyList<SdpCodec>? codecs = null, ulong sessionId = 0, string userName = "-")
    {
        if (localPort is <= 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(localPort), localPort, "RTP port must be 1-65535");
        }

        LocalAddress = localAddress;
        LocalPort = localPort;
        codecs ??= [SdpCodec.Pcmu, SdpCodec.Pcma, SdpCodec.TelephoneEvent()];
        _audioCodecs = codecs.Where(codec => !codec.IsTelephoneEvent).ToList();
        _telephoneEvent = codecs.FirstOrDefault(codec => codec.IsTelephoneEvent);
        if (_audioCodecs.Count == 0)
        {
            throw new ArgumentException("at least one audio codec is required", nameof(codecs));
        }

        SessionId = sessionId;
        UserName = userName;
        _version = sessionId;
    }

    public string LocalAddress { get; }

    public int LocalPort { get; }

    public ulong SessionId { get; }

    public string UserName { get; }

    /// <summary>Packetisation time we ask for, in milliseconds.</summary>
    public int Ptime { get; init; } = 20;

    /// <summary>Our offer: one audio m-line with every supported codec in preference order, then telephone-event.</summary>
    public SdpSessionDescription CreateOffer(SdpDirection direction = SdpDirection.SendRecv)
    {
        var media = new SdpMediaDescription("audio", LocalPort, AudioProfile,
            _audioCodecs.Concat(_telephoneEvent is null ? [] : [_telephoneEvent]).Select(codec => codec.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (SdpCodec codec in _audioCodecs)
        {
            media.AddRtpMap(codec.ToRtpMap(), codec.Fmtp);
        }

        if (_telephoneEvent is not null)
        {
            media.AddRtpMap(_telephoneEvent.ToRtpMap(), _telephoneEvent.Fmtp);
        }

        media.Attributes.Add(new SdpAttribute("ptime", Ptime.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        media.Direction = direction;
        return Stamp(NewDescription([new SdpTiming(0, 0)], media));
    }

    /// <summary>
    /// Answers <paramref name="offer"/>. <paramref name="localDirection"/> is what we want (sendonly to hold
    /// the peer); the answer's direction is that intersected with the mirror of the offer's.
    /// </summary>
    public SdpAnswerResult CreateAnswer(SdpSessionDescription offer, SdpDirection localDirection = SdpDirection.SendRecv)
    {
        var answerMedia = new List<SdpMediaDescription>();
        SdpAudioSession? audio = null;
        for (int index = 0; index < offer.Media.Count; index++)
        {
            SdpMediaDescription offered = offer.Media[index];
            SdpConnection? connection = offer.GetEffectiveConnection(offered);
            (SdpCodec Codec, SdpCodec? TelephoneEvent)? match = audio is null && IsUsableAudio(offered) && connection is not null
                ? Match(offered)
                : null;
            if (match is not { } chosen || connection is null)
            {
                answerMedia.Add(new SdpMediaDescription(offered.Media, 0, offered.Protocol, offered.Formats));
                continue;
            }

            SdpDirection offeredDirection = offer.GetEffectiveDirection(offered);
            bool peerReceives = offeredDirection.Receives() && !connection.IsHoldAddress;
            SdpDirection direction = SdpDirections.From(
                peerReceives && localDirection.Sends(),
                offeredDirection.Sends() && localDirection.Receives());

            var media = new SdpMediaDescription("audio", LocalPort, offered.Protocol,
                new[] { chosen.Codec, chosen.TelephoneEvent }.OfType<SdpCodec>().Select(codec => codec.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            media.AddRtpMap(chosen.Codec.ToRtpMap(), chosen.Codec.Fmtp);
            if (chosen.TelephoneEvent is not null)
            {
                media.AddRtpMap(chosen.TelephoneEvent.ToRtpMap(), chosen.TelephoneEvent.Fmtp);
            }

            media.Attributes.Add(new SdpAttribute("ptime", Ptime.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            media.Direction = direction;
            answerMedia.Add(media);
            audio = new SdpAudioSession
            {
                MediaIndex = index,
                Codec = chosen.Codec,
                TelephoneEvent = chosen.TelephoneEvent,
                RemoteAddress = connection.Host,
                RemotePort = offered.Port,
                LocalDirection = direction,
                RemoteHolds = !peerReceives,
                RemotePtime = offered.Ptime,
            };
        }

        // RFC 3264 section 6: the answer's t= line equals the offer's.
        SdpTiming timing = offer.Timings.Count > 0 ? offer.Timings[0] : new SdpTiming(0, 0);
        return new SdpAnswerResult(Stamp(NewDescription([timing], [.. answerMedia])), audio);
    }

    /// <summary>
    /// Reads the peer's answer to <paramref name="offer"/> (ours): the audio stream, the codec the peer
    /// picked (the first format in its answer we support) and telephone-event. Null when the answer
    /// rejected audio or does not match the offer; the caller then ends the call.
    /// </summary>
    public SdpAudioSession? ReadAnswer(SdpSessionDescription offer, SdpSessionDescription answer)
    {
        if (answer.Media.Count != offer.Media.Count)
        {
            return null;
        }

        for (int index = 0; index < answer.Media.Count; index++)
        {
            SdpMediaDescription answered = answer.Media[index];
            SdpConnection? connection = answer.GetEffectiveConnection(answered);
            if (offer.Media[index].IsRejected || !IsUsableAudio(answered) || connection is null
                || Match(answered) is not { } chosen)
            {
                continue;
            }

            SdpDirection ourOffer = offer.GetEffectiveDirection(offer.Media[index]);
            SdpDirection theirs = answer.GetEffectiveDirection(answered);
            bool peerReceives = theirs.Receives() && !connection.IsHoldAddress;
            return new SdpAudioSession
            {
                MediaIndex = index,
                Codec = chosen.Codec,
                TelephoneEvent = chosen.TelephoneEvent,
                RemoteAddress = connection.Host,
                RemotePort = answered.Port,
                LocalDirection = SdpDirections.From(ourOffer.Sends() && peerReceives, ourOffer.Receives() && theirs.Sends()),
                RemoteHolds = !peerReceives,
                RemotePtime = answered.Ptime,
            };
        }

        return null;
    }

    private static bool IsUsableAudio(SdpMediaDescription media) =>
        media.Media == "audio" && !media.IsRejected && string.Equals(media.Protocol, AudioProfile, StringComparison.OrdinalIgnoreCase);

    private (SdpCodec Codec, SdpCodec? TelephoneEvent)? Match(SdpMediaDescription offered)
    {
        SdpCodec? audio = null;
        SdpCodec? telephoneEvent = null;
        foreach (string format in offered.Formats)
        {
            if (!int.TryParse(format, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int payloadType))
            {
                continue;
            }

            SdpRtpMap? map = offered.GetRtpMap(payloadType);
            if (audio is null && FindAudio(payloadType, map) is SdpCodec codec)
            {
                audio = codec with { PayloadType = payloadType };
            }
            else if (telephoneEvent is null && _telephoneEvent is not null && map is not null
                && string.Equals(map.EncodingName, SdpCodec.TelephoneEventName, StringComparison.OrdinalIgnoreCase)
                && map.ClockRate == _telephoneEvent.ClockRate)
            {
                telephoneEvent = _telephoneEvent with { PayloadType = payloadType };
            }
        }

        return audio is null ? null : (audio, telephoneEvent);
    }

    private SdpCodec? FindAudio(int payloadType, SdpRtpMap? map)
    {
        foreach (SdpCodec codec in _audioCodecs)
        {
            bool matches = map is not null
                ? string.Equals(map.EncodingName, codec.EncodingName, StringComparison.OrdinalIgnoreCase)
                    && map.ClockRate == codec.ClockRate
                    && map.EncodingParameters is null or "1"
                : payloadType < 96 && payloadType == codec.PayloadType;
            if (matches)
            {
                return codec;
            }
        }

        return null;
    }

    private SdpSessionDescription NewDescription(SdpTiming[] timings, params SdpMediaDescription[] media)
    {
        var description = new SdpSessionDescription(new SdpOrigin(UserName, SessionId, _version, "IN", "IP4", LocalAddress), "-")
        {
            Connection = SdpConnection.ForAddress(LocalAddress),
        };
        description.Origin = description.Origin with { AddressType = description.Connection.AddressType };
        description.Timings.AddRange(timings);
        description.Media.AddRange(media);
        return description;
    }

    // Same session id always; the version goes up only when the rest of the SDP changed.
    private SdpSessionDescription Stamp(SdpSessionDescription description)
    {
        string body = description.ToString();
        body = body[body.IndexOf("\r\ns=", StringComparison.Ordinal)..];
        if (_lastBody is not null && body != _lastBody)
        {
            _version++;
        }

        _lastBody = body;
        description.Origin = description.Origin with { SessionVersion = _version };
        return description;
    }
}
