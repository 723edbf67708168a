namespace CallCenter.Sip.Transactions;

/// <summary>The RFC 3261 section 17 timer values. The defaults are the RFC's.</summary>
public sealed class SipTimerOptions
{
    /// <summary>RTT estimate: the first retransmission interval (timers A, E, G).</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest retransmission interval for non-INVITE requests and INVITE responses.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long a message may stay in the network (timers I and K).</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D: how long an INVITE client transaction absorbs response retransmissions over UDP (at least 32 s).</summary>
    public TimeSpan TimerD { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>How long an INVITE server transaction waits for the TU before it sends 100 Trying itself (section 17.2.1).</summary>
    public TimeSpan TryingDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>64*T1: timers B, F, H and (over UDP) J.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;
}
