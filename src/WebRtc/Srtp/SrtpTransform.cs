namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// The cryptographic transform of one profile, under session keys: what is encrypted, what is authenticated and where
/// the tag and the SRTCP index go. Streams, indices and replay belong to <see cref="SrtpSession"/>.
/// </summary>
internal abstract class SrtpTransform : IDisposable
{
    /// <summary>Encrypts the payload in place and writes the tag at <paramref name="length"/>.</summary>
    public abstract void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, long index);

    /// <summary>Checks the tag after <paramref name="authenticatedLength"/> and decrypts the payload in place; false on a bad tag.</summary>
    public abstract bool UnprotectRtp(Span<byte> buffer, int headerLength, int authenticatedLength, uint ssrc, long index);

    /// <summary>Encrypts after the first 8 bytes in place and appends the E flag with the index, and the tag.</summary>
    public abstract void ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord);

    /// <summary>Where the E flag and the SRTCP index sit in a protected packet of <paramref name="length"/> bytes.</summary>
    public abstract int RtcpIndexWordOffset(int length);

    /// <summary>Checks the tag and, if the E flag is set, decrypts bytes 8 to <paramref name="rtcpLength"/> in place.</summary>
    public abstract bool UnprotectRtcp(Span<byte> buffer, int rtcpLength, int length, uint ssrc, uint indexWord);

    public abstract void Dispose();
}
