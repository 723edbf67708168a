namespace CallCenter.EdgeSip.Protection;

/// <summary>Settings of a <see cref="SourceRateLimiter"/>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained INVITEs per second per source.</summary>
    public double InvitesPerSecond { get; init; } = 20;

    /// <summary>INVITEs a source may send at once after being idle (the bucket size).</summary>
    public double InviteBurst { get; init; } = 40;

    /// <summary>Sustained REGISTERs per second per source.</summary>
    public double RegistersPerSecond { get; init; } = 5;

    /// <summary>REGISTERs a source may send at once after being idle (the bucket size).</summary>
    public double RegisterBurst { get; init; } = 20;

    /// <summary>
    /// The most sources tracked at once. Beyond it the least recently seen source is forgotten (it starts
    /// again with full buckets if it comes back), so a flood of spoofed sources cannot exhaust memory.
    /// </summary>
    public int MaxTrackedSources { get; init; } = 100_000;

    /// <summary>
    /// IPv6 sources are counted per prefix of this length (64 by default: one subscriber's LAN is a /64,
    /// so a host cannot escape its budget by hopping addresses). 128 counts every IPv6 address apart.
    /// IPv4 sources (and IPv4-mapped IPv6 ones) are always counted per address.
    /// </summary>
    public int IPv6PrefixLength { get; init; } = 64;
}
