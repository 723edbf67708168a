namespace CallCenter.WebRtc.Dtls;

/// <summary>What became of a datagram handed to <see cref="DtlsSrtpSession.DeliverDatagram"/>.</summary>
public enum DtlsDatagramVerdict
{
    Accepted,

    /// <summary>Shorter than one 13-byte record header.</summary>
    TruncatedHeader,

    /// <summary>First byte outside 20..63: not DTLS by the RFC 7983 demultiplexing rule; the caller routed it wrongly.</summary>
    NotDtls,

    /// <summary>A DTLS content type we do not negotiate (heartbeat, connection id, DTLS 1.3 unified header).</summary>
    UnsupportedContentType,

    /// <summary>Record version other than DTLS 1.0 (0xFEFF) or 1.2 (0xFEFD).</summary>
    UnsupportedVersion,

    /// <summary>A record's length runs past the end of the datagram, or bytes trail the last record.</summary>
    TruncatedRecord,

    /// <summary>An encrypted record (epoch 1 or later) shorter than AES-GCM's explicit nonce and tag.</summary>
    ShortCiphertext,

    /// <summary>Longer than <see cref="DtlsRecordInspector.MaxDatagramLength"/>.</summary>
    TooLarge,

    /// <summary>The handshake thread has not kept up; the peer retransmits anyway.</summary>
    InboxFull,

    /// <summary>The session failed or was closed.</summary>
    SessionEnded,
}

/// <summary>
/// Checks the record framing of an inbound datagram (RFC 6347 §4.1) before BouncyCastle sees it, so garbage is
/// counted with a reason. BouncyCastle still drops records that fail its own checks (epoch, replay, MAC) silently.
/// </summary>
public static class DtlsRecordInspector
{
    /// <summary>An Ethernet frame's payload: a browser's DTLS datagrams stay under its ~1200-byte path MTU guess.</summary>
    public const int MaxDatagramLength = 1500;

    public const int RecordHeaderLength = 13;

    /// <summary>AES-GCM records carry an 8-byte explicit nonce and a 16-byte tag (RFC 5288 §3).</summary>
    public const int MinGcmCiphertextLength = 8 + 16;

    public static DtlsDatagramVerdict Inspect(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxDatagramLength)
        {
            return DtlsDatagramVerdict.TooLarge;
        }

        if (datagram.Length < RecordHeaderLength)
        {
            return datagram.Length > 0 && !IsDtlsFirstByte(datagram[0]) ? DtlsDatagramVerdict.NotDtls : DtlsDatagramVerdict.TruncatedHeader;
        }

        var rest = datagram;
        while (!rest.IsEmpty)
        {
            if (rest.Length < RecordHeaderLength)
            {
                return DtlsDatagramVerdict.TruncatedRecord;
            }

            var contentType = rest[0];
            if (!IsDtlsFirstByte(contentType))
            {
                return DtlsDatagramVerdict.NotDtls;
            }

            // change_cipher_spec, alert, handshake, application_data.
            if (contentType is < 20 or > 23)
            {
                return DtlsDatagramVerdict.UnsupportedContentType;
            }

            if (rest[1] != 0xFE || rest[2] is not (0xFF or 0xFD))
            {
                return DtlsDatagramVerdict.UnsupportedVersion;
            }

            var length = (rest[11] << 8) | rest[12];
            if (RecordHeaderLength + length > rest.Length)
            {
                return DtlsDatagramVerdict.TruncatedRecord;
            }

            var epoch = (rest[3] << 8) | rest[4];
            if (epoch != 0 && length < MinGcmCiphertextLength)
            {
                return DtlsDatagramVerdict.ShortCiphertext;
            }

            rest = rest[(RecordHeaderLength + length)..];
        }

        return DtlsDatagramVerdict.Accepted;
    }

    /// <summary>RFC 7983 §7: on a port shared with STUN and SRTP, DTLS is the first byte 20..63.</summary>
    public static bool IsDtlsFirstByte(byte first) => first is >= 20 and <= 63;
}

/// <summary>Counts of inbound datagrams by verdict; read by the edge's metrics later.</summary>
public sealed class DtlsDatagramCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DtlsDatagramVerdict>().Length];

    public long this[DtlsDatagramVerdict verdict] => Interlocked.Read(ref _counts[(int)verdict]);

    public long Dropped
    {
        get
        {
            long total = 0;
            for (var i = 1; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    internal void Count(DtlsDatagramVerdict verdict) => Interlocked.Increment(ref _counts[(int)verdict]);
}
