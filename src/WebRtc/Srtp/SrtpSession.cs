using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// SRTP and SRTCP (RFC 3711) under one master key: the session keys derived once (key derivation rate 0), a context per
/// SSRC created on its first packet (RFC 3711 section 3.2.3; RFC 5764 section 4.1 lets any SSRC use the DTLS-SRTP keys).
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
    private const int RocLength = 4;
    private const int Sha1Length = 20;
    private const long MaxRtpIndex = (1L << 48) - 1;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;

    private readonly int _rtpTagLength;
    private readonly int _maxStreams;
    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly IncrementalHash _rtpMac;
    private readonly IncrementalHash _rtcpMac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly Dictionary<uint, RtpStream> _sentRtp = [];
    private readonly Dictionary<uint, RtpStream> _receivedRtp = [];
    private readonly Dictionary<uint, RtcpStream> _sentRtcp = [];
    private readonly Dictionary<uint, RtcpStream> _receivedRtcp = [];

    public SrtpSession(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxStreams = DefaultMaxStreams)
        : this(profile, SrtpKeyDerivation.Derive(masterKey, masterSalt), maxStreams)
    {
    }

    public SrtpSession(SrtpProfile profile, SrtpSessionKeys keys, int maxStreams = DefaultMaxStreams)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        Profile = profile;
        _rtpTagLength = profile.RtpTagLength();
        _maxStreams = maxStreams;
        _rtpCipher = new AesCounterMode(keys.RtpEncryptionKey);
        _rtcpCipher = new AesCounterMode(keys.RtcpEncryptionKey);
        _rtpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtpAuthenticationKey);
        _rtcpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtcpAuthenticationKey);
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Bytes <see cref="ProtectRtp"/> adds: the caller's buffer needs this much room after the packet.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes <see cref="ProtectRtcp"/> adds: the E flag with the SRTCP index, and the tag.</summary>
    public int RtcpOverhead => Profile.RtcpOverhead();

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    /// <summary>The counter-mode IV of RFC 3711 section 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).</summary>
    private static void FormIv(Span<byte> iv, ReadOnlySpan<byte> salt, uint ssrc, long index)
    {
        salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (var i = 0; i < 4; i++)
        {
            iv[4 + i] ^= word[i];
        }

        BinaryPrimitives.WriteInt64BigEndian(word, index);
        for (var i = 2; i < 8; i++)
        {
            iv[6 + i] ^= word[i];
        }
    }

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
}
