using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Ice;

/// <summary>The agent's verdict on one datagram: the response to send back to its source, if any.</summary>
public readonly record struct IceLiteResult(IceLiteOutcome Outcome, byte[]? Response, StunParseFailure ParseFailure = StunParseFailure.None)
{
    public bool HasResponse => Response is not null;
}
