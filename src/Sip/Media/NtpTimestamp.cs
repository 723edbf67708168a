namespace CallCenter.Sip.Media;

/// <summary>NTP timestamps as RTCP carries them (RFC 3550 section 4).</summary>
public static class NtpTimestamp
{
    private static readonly DateTimeOffset Epoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ulong FromDateTime(DateTimeOffset time)
    {
        TimeSpan since = time - Epoch;
        ulong seconds = (ulong)(since.Ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)(since.Ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    public static DateTimeOffset ToDateTime(ulong ntp)
    {
        long seconds = (long)(ntp >> 32);
        long ticks = (long)((ntp & 0xFFFFFFFF) * (ulong)TimeSpan.TicksPerSecond >> 32);
        return Epoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + ticks);
    }

    /// <summary>The middle 32 bits, as used in the LSR field of a report block.</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);
}
