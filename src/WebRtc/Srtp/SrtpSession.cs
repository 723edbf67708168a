namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// SRTP and SRTCP (RFC 3711; AES-GCM as RFC 7714) under one master key: the session keys derived once (key derivation
/// rate 0), a context per SSRC created on its first authenticated packet (RFC 3711 section 3.2.3; RFC 5764 section 4.1
/// lets any SSRC use the DTLS-SRTP keys).
/// With DTLS-SRTP each direction has its own master key, so a leg holds one session that protects (its write key) and
/// one that unprotects (the peer's write key). Packets are transformed in place in the caller's buffer and nothing is
/// allocated per packet once a stream has started. Unprotect never throws: a packet it refuses comes back with the reason.
/// Not thread-safe: one thread at a time per session.
/// </summary>
public sealed partial class SrtpSession : IDisposable
{
    public const int DefaultMaxStreams = 16;

    private const int RtpHeaderLength = 12;
    private const int RtcpHeaderLength = 8;
    private const long MaxRtpIndex = (1L << 48) - 1;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;

    private readonly int _rtpTagLength;
    private readonly int _maxStreams;
    private readonly SrtpTransform _transform;
    private readonly Dictionary<uint, RtpStream> _sentRtp = [];
    private readonly Dictionary<uint, RtpStream> _receivedRtp = [];
    private readonly Dictionary<uint, RtcpStream> _sentRtcp = [];
    private readonly Dictionary<uint, RtcpStream> _receivedRtcp = [];

    public SrtpSession(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxStreams = DefaultMaxStreams)
        : this(profile, SrtpKeyDerivation.Derive(profile, masterKey, masterSalt), maxStreams)
    {
    }

    /// <summary>From session keys directly (RFC 7714's test vectors are stated that way); normally use the master key.</summary>
    public SrtpSession(SrtpProfile profile, SrtpSessionKeys keys, int maxStreams = DefaultMaxStreams)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        Profile = profile;
        _rtpTagLength = profile.RtpTagLength();
        _maxStreams = maxStreams;
        _transform = profile.IsAead() ? new AesGcmTransform(keys) : new AesCmHmacSha1Transform(keys, _rtpTagLength);
    }

    public SrtpProfile Profile { get; }

    /// <summary>Bytes <see cref="ProtectRtp"/> adds: the caller's buffer needs this much room after the packet.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes <see cref="ProtectRtcp"/> adds: the E flag with the SRTCP index, and the tag.</summary>
    public int RtcpOverhead => Profile.RtcpOverhead();

    public void Dispose() => _transform.Dispose();

    private static bool IsVersion2(byte first) => first >> 6 == 2;

    private bool HasRoomForStream<TStream>(Dictionary<uint, TStream> streams) => streams.Count < _maxStreams;

    private sealed class RtpStream
    {
        public bool Started;
        public uint RolloverCounter;
        public ushort HighestSequence;
        public ReplayWindow Window;
    }

    private sealed class RtcpStream
    {
        public uint NextIndex;
        public ReplayWindow Window;
    }

    /// <summary>
    /// Copies a plain RTP or RTCP packet into <paramref name="buffer"/> and protects it there: what a sender does with a
    /// packet it must keep (the caller's bytes are not touched).
    /// </summary>
    public SrtpStatus ProtectCopy(ReadOnlySpan<byte> plainPacket, bool rtcp, Span<byte> buffer, out int protectedLength)
    {
        protectedLength = 0;
        if (plainPacket.Length > buffer.Length)
        {
            return SrtpStatus.BufferTooSmall;
        }

        plainPacket.CopyTo(buffer);
        return rtcp
            ? ProtectRtcp(buffer, plainPacket.Length, out protectedLength)
            : ProtectRtp(buffer, plainPacket.Length, out protectedLength);
    }
}
