using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Ice;

/// <summary>What became of each datagram handed to the agent.</summary>
public enum IceLiteOutcome
{
    /// <summary>A valid check, answered with a success response.</summary>
    Answered,
    /// <summary>A valid check with USE-CANDIDATE: answered, and its source is now the selected pair.</summary>
    Nominated,
    /// <summary>Not a well-formed STUN message (see the parse failure); dropped silently.</summary>
    DroppedMalformed,
    /// <summary>A response or an indication; a lite agent sends no requests, so nothing is waiting for them.</summary>
    DroppedNotRequest,
    /// <summary>Answered 400: a required attribute was missing or the method is not Binding.</summary>
    BadRequest,
    /// <summary>Answered 401: wrong USERNAME or MESSAGE-INTEGRITY.</summary>
    Unauthorized,
    /// <summary>Answered 420 with UNKNOWN-ATTRIBUTES.</summary>
    UnknownAttribute,
    /// <summary>Answered 487: the peer also claimed the controlled role.</summary>
    RoleConflict,
}

/// <summary>Counters per outcome and per parse failure; safe to read while the agent works.</summary>
public sealed class IceLiteCounters
{
    private readonly long[] _outcomes = new long[Enum.GetValues<IceLiteOutcome>().Length];
    private readonly long[] _parseFailures = new long[Enum.GetValues<StunParseFailure>().Length];
    private long _consentExpirations;

    public long this[IceLiteOutcome outcome] => Interlocked.Read(ref _outcomes[(int)outcome]);

    public long this[StunParseFailure failure] => Interlocked.Read(ref _parseFailures[(int)failure]);

    /// <summary>How many times the selected pair was dropped because no valid check came for the consent timeout.</summary>
    public long ConsentExpirations => Interlocked.Read(ref _consentExpirations);

    internal void Count(IceLiteOutcome outcome) => Interlocked.Increment(ref _outcomes[(int)outcome]);

    internal void Count(StunParseFailure failure) => Interlocked.Increment(ref _parseFailures[(int)failure]);

    internal void CountConsentExpiration() => Interlocked.Increment(ref _consentExpirations);
}
