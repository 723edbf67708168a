namespace CallCenter.Sip.Media;

/// <summary>Serial-number arithmetic for the 16-bit RTP sequence number and the 32-bit timestamp, which both wrap.</summary>
public static class RtpSequence
{
    /// <summary>The signed distance from <paramref name="from"/> to <paramref name="to"/> (65535 → 0 is +1).</summary>
    public static int Difference(ushort from, ushort to) => (short)(ushort)(to - from);

    /// <summary>True when <paramref name="candidate"/> comes after <paramref name="reference"/> modulo 2^16.</summary>
    public static bool IsNewer(ushort candidate, ushort reference) => Difference(reference, candidate) > 0;

    /// <summary>The signed distance between two RTP timestamps (0xFFFFFFFF → 0 is +1).</summary>
    public static int TimestampDifference(uint from, uint to) => (int)(to - from);

    /// <summary>True when <paramref name="candidate"/> is later than <paramref name="reference"/> modulo 2^32.</summary>
    public static bool IsTimestampNewer(uint candidate, uint reference) => TimestampDifference(reference, candidate) > 0;
}
