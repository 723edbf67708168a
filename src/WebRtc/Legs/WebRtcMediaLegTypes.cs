using System.Net;
using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Ice;

namespace CallCenter.WebRtc.Legs;

/// <summary>Sends one datagram from the leg's UDP endpoint; the caller owns the socket.</summary>
public delegate void LegDatagramSender(ReadOnlySpan<byte> datagram, IPEndPoint destination);

/// <summary>Receives one decrypted RTP or RTCP packet; the span is valid only during the call.</summary>
public delegate void LegPacketHandler(ReadOnlySpan<byte> plainPacket);

public enum WebRtcLegState
{
    /// <summary>Made; no valid ICE check yet.</summary>
    New,
    /// <summary>ICE checks arrive; nomination or the DTLS handshake is under way.</summary>
    Checking,
    /// <summary>DTLS done, SRTP keys in place: media flows.</summary>
    Connected,
    /// <summary>The handshake failed or ICE consent lapsed; see the reason.</summary>
    Failed,
    /// <summary>Closed by the owner or by the peer's close_notify.</summary>
    Closed,
}

/// <summary>Why a received datagram (or a send) went nowhere.</summary>
public enum LegDropReason
{
    /// <summary>A STUN datagram the ICE agent refused or could not parse (answered with an error or dropped).</summary>
    StunFailure,
    /// <summary>A DTLS datagram the session refused (record checks, inbox full, session ended).</summary>
    DtlsFailure,
    /// <summary>An SRTP or SRTCP packet that did not authenticate, was replayed or was malformed.</summary>
    SrtpFailure,
    /// <summary>DTLS or SRTP from an address other than the ICE-selected one.</summary>
    UnselectedAddress,
    /// <summary>SRTP or SRTCP before the handshake gave keys, or a send before then.</summary>
    BeforeKeys,
    /// <summary>A datagram none of our protocols claims (RFC 7983: ZRTP, TURN channel, unknown first byte, empty).</summary>
    Unrecognized,
    /// <summary>Anything received after the leg closed or failed.</summary>
    LegEnded,
}

/// <summary>Counts of dropped datagrams by reason; read from any thread.</summary>
public sealed class WebRtcLegCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<LegDropReason>().Length];
    private long _rtpReceived;
    private long _rtcpReceived;

    public long this[LegDropReason reason] => Interlocked.Read(ref _drops[(int)reason]);

    public long Dropped
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _drops.Length; i++)
            {
                total += Interlocked.Read(ref _drops[i]);
            }

            return total;
        }
    }

    public long RtpReceived => Interlocked.Read(ref _rtpReceived);

    public long RtcpReceived => Interlocked.Read(ref _rtcpReceived);

    internal void CountDrop(LegDropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void CountRtp() => Interlocked.Increment(ref _rtpReceived);

    internal void CountRtcp() => Interlocked.Increment(ref _rtcpReceived);
}

/// <summary>What one browser leg needs from the SDP exchange.</summary>
public sealed record WebRtcMediaLegOptions
{
    /// <summary>Our ICE ufrag and password, put in our SDP answer.</summary>
    public required IceCredentials LocalIce { get; init; }

    /// <summary>The browser's ICE credentials, if its SDP is already known (checks can arrive before it).</summary>
    public IceCredentials? RemoteIce { get; init; }

    public required DtlsCertificate LocalCertificate { get; init; }

    /// <summary>From the browser's a=fingerprint lines.</summary>
    public required IReadOnlyList<DtlsFingerprint> RemoteFingerprints { get; init; }

    /// <summary>Server when the browser offers actpass (RFC 5763 section 5), as browsers do.</summary>
    public DtlsRole DtlsRole { get; init; } = DtlsRole.Server;

    public IReadOnlyList<DtlsSrtpProfile> Profiles { get; init; } = [DtlsSrtpProfile.Aes128CmHmacSha1_80];

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
