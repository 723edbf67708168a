namespace CallCenter.EdgeSip.Registrar;

/// <summary>Settings of a <see cref="SipRegistrar"/>. Intervals are used in whole seconds (rounded up).</summary>
public sealed class RegistrarOptions
{
    /// <summary>The digest realm the registrar challenges with (usually the SIP domain).</summary>
    public required string Realm { get; init; }

    /// <summary>The binding lifetime when a REGISTER names none (no Expires header, no expires contact parameter).</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Shorter non-zero requests are refused with 423 Interval Too Brief and this Min-Expires.</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longer requests are shortened to this (RFC 3261 section 10.3 step 7 lets the registrar shorten).</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromSeconds(7200);

    /// <summary>
    /// The most contacts one account may have bound at once. A REGISTER that would exceed it evicts the
    /// account's least recently registered bindings; one that itself lists more contacts is refused (403).
    /// </summary>
    public int MaxBindingsPerUser { get; init; } = 5;

    /// <summary>The digest algorithms challenged with, in order of preference (RFC 8760). Old phones read only the first challenge.</summary>
    public IReadOnlyList<CallCenter.Sip.Auth.DigestAlgorithm> Algorithms { get; init; } = CallCenter.Sip.Auth.DigestAlgorithm.Supported;
}
