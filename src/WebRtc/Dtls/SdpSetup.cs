namespace CallCenter.WebRtc.Dtls;

/// <summary>The <c>a=setup</c> attribute values (RFC 4145 §4).</summary>
public enum SdpSetupRole
{
    Active,
    Passive,
    ActPass,
    HoldConn,
}

/// <summary>Which end of the DTLS handshake we play.</summary>
public enum DtlsRole
{
    /// <summary>We wait for the ClientHello (our answer said <c>a=setup:passive</c>).</summary>
    Server,

    /// <summary>We send the ClientHello (our answer said <c>a=setup:active</c>).</summary>
    Client,
}

/// <summary>RFC 5763 §5: how the offer's <c>a=setup</c> decides our answer and our DTLS role.</summary>
public static class SdpSetup
{
    public static bool TryParse(string? text, out SdpSetupRole role)
    {
        var span = text.AsSpan().Trim();
        if (span.StartsWith("a=", StringComparison.Ordinal))
        {
            span = span[2..];
        }

        if (span.StartsWith("setup:", StringComparison.OrdinalIgnoreCase))
        {
            span = span["setup:".Length..];
        }

        span = span.Trim();
        SdpSetupRole? parsed =
            span.Equals("active", StringComparison.OrdinalIgnoreCase) ? SdpSetupRole.Active
            : span.Equals("passive", StringComparison.OrdinalIgnoreCase) ? SdpSetupRole.Passive
            : span.Equals("actpass", StringComparison.OrdinalIgnoreCase) ? SdpSetupRole.ActPass
            : span.Equals("holdconn", StringComparison.OrdinalIgnoreCase) ? SdpSetupRole.HoldConn
            : null;
        role = parsed ?? default;
        return parsed is not null;
    }

    public static string ToAttribute(SdpSetupRole role) => "a=setup:" + role switch
    {
        SdpSetupRole.Active => "active",
        SdpSetupRole.Passive => "passive",
        SdpSetupRole.ActPass => "actpass",
        _ => "holdconn",
    };

    /// <summary>
    /// The answer to an offer's setup role. A browser offers <c>actpass</c>; we answer <c>passive</c> and are the DTLS
    /// server, so the browser's ClientHello is the first DTLS datagram and no extra round trip waits on our side
    /// (RFC 5763 §5 lets the answerer pick either). An <c>active</c> offer makes us passive, a <c>passive</c> one
    /// active. <c>holdconn</c> has no DTLS connection: refused.
    /// </summary>
    public static bool TryAnswer(SdpSetupRole offered, out SdpSetupRole answer, out DtlsRole localRole)
    {
        switch (offered)
        {
            case SdpSetupRole.ActPass:
            case SdpSetupRole.Active:
                answer = SdpSetupRole.Passive;
                localRole = DtlsRole.Server;
                return true;
            case SdpSetupRole.Passive:
                answer = SdpSetupRole.Active;
                localRole = DtlsRole.Client;
                return true;
            default:
                answer = SdpSetupRole.HoldConn;
                localRole = DtlsRole.Server;
                return false;
        }
    }

    /// <summary>RFC 5763 §5: an offerer MUST say <c>actpass</c>; this is what we put in an offer of our own.</summary>
    public static SdpSetupRole OfferRole => SdpSetupRole.ActPass;

    /// <summary>Our DTLS role once the answer to our <c>actpass</c> offer arrives.</summary>
    public static bool TryRoleFromAnswer(SdpSetupRole answered, out DtlsRole localRole)
    {
        localRole = answered == SdpSetupRole.Active ? DtlsRole.Server : DtlsRole.Client;
        return answered is SdpSetupRole.Active or SdpSetupRole.Passive;
    }
}
