namespace CallCenter.WebRtc.Dtls;

/// <summary>Sends one datagram to the ICE-selected remote address. Must send or copy before returning.</summary>
public interface IDtlsDatagramSender
{
    void SendDatagram(ReadOnlySpan<byte> datagram);
}

/// <summary>One DTLS-SRTP association's settings; the edge fills them from the SDP exchange.</summary>
public sealed record DtlsSrtpOptions
{
    /// <summary>From <see cref="SdpSetup.TryAnswer"/>: a browser's actpass offer makes us the server.</summary>
    public required DtlsRole Role { get; init; }

    public required DtlsCertificate LocalCertificate { get; init; }

    /// <summary>The remote SDP's <c>a=fingerprint</c> values; the peer's certificate must match (RFC 8122 §5).</summary>
    public required IReadOnlyList<DtlsFingerprint> RemoteFingerprints { get; init; }

    /// <summary>
    /// As a client, offered in this order; as a server, the ones we accept, chosen in the client's order. A client
    /// with an empty list offers no use_srtp at all (a plain DTLS peer, which a DTLS-SRTP server must refuse).
    /// </summary>
    public IReadOnlyList<DtlsSrtpProfile> Profiles { get; init; } = [DtlsSrtpProfile.Aes128CmHmacSha1_80];

    /// <summary>The whole handshake's bound, measured on the injected TimeProvider.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retransmission of a flight (RFC 6347 §4.2.4.1 says 1 s), doubled by BouncyCastle up to 60 s.</summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest datagram we send; handshake messages are fragmented to fit (1200 is what browsers assume).</summary>
    public int MaxSendDatagramLength { get; init; } = 1200;

    /// <summary>Datagrams queued for the handshake thread; beyond this they are dropped (InboxFull).</summary>
    public int InboxCapacity { get; init; } = 64;
}

public enum DtlsSessionState
{
    Idle,
    Handshaking,
    Connected,
    Failed,
    Closed,
}

public enum DtlsFailureReason
{
    None,
    TimedOut,
    Cancelled,
    FingerprintMismatch,
    NoRemoteCertificate,
    NoSrtpProfile,

    /// <summary>The peer sent a fatal alert.</summary>
    AlertReceived,

    /// <summary>We refused something in the peer's handshake (BouncyCastle raised a fatal alert).</summary>
    ProtocolError,

    /// <summary>The datagram sender threw.</summary>
    TransportError,
}

/// <summary>The outcome of <see cref="DtlsSrtpSession.HandshakeAsync"/>: keys on success, a reason otherwise.</summary>
public sealed record DtlsHandshakeResult(SrtpKeys? Keys, DtlsFingerprint? RemoteFingerprint, DtlsFailureReason Failure, string? Detail)
{
    public bool Succeeded => Failure == DtlsFailureReason.None && Keys is not null;

    internal static DtlsHandshakeResult Success(SrtpKeys keys, DtlsFingerprint? remote) => new(keys, remote, DtlsFailureReason.None, null);

    internal static DtlsHandshakeResult Failed(DtlsFailureReason reason, string? detail) => new(null, null, reason, detail);
}
