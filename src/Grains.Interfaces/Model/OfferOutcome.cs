namespace CallCenter.Model;

/// <summary>
/// Why an offer ended without an accept. Only what the agent did with a device that could be reached counts against
/// the agent (NotReady, "missed offer"); a device that could never ring, or a fault in the platform, never does.
/// </summary>
[Alias("callcenter.offer-outcome")]
public enum OfferOutcome
{
    /// <summary>The device rang (or the desktop showed the offer) and nobody took it in time.</summary>
    NotAnswered = 0,

    /// <summary>The agent declined: a reject from the desktop, or a phone that answered busy or decline.</summary>
    Declined = 1,

    /// <summary>The agent's device could not be reached: no registered phone, no response, a transport failure.</summary>
    DeviceUnreachable = 2,

    /// <summary>The platform failed the offer: its edge lost, a silo frozen or lost, an accept that timed out on the way.</summary>
    InfrastructureFault = 3,

    /// <summary>The call went away (the caller hung up, a callback took its place): nobody's doing.</summary>
    Withdrawn = 4,
}

public static class OfferOutcomes
{
    /// <summary>True only for what a reachable agent did (or did not do) with the offer.</summary>
    public static bool ChargesAgent(this OfferOutcome outcome) => outcome is OfferOutcome.NotAnswered or OfferOutcome.Declined;

    /// <summary>
    /// What a failed ring of an agent's phone means: a final response from the phone itself (busy, decline, not
    /// available) is the agent's; no response at all (a timeout the edge's transaction made up), a server or network
    /// failure, is the platform's or the device's. A phone that rang and then timed out did not answer.
    /// </summary>
    public static OfferOutcome OfPhoneResponse(int statusCode, bool rang) => statusCode switch
    {
        486 or 600 or 603 or 480 => OfferOutcome.Declined,
        408 or 487 when rang => OfferOutcome.NotAnswered,
        >= 500 and < 600 or 408 or 0 => OfferOutcome.DeviceUnreachable,
        >= 400 when rang => OfferOutcome.Declined,
        _ => OfferOutcome.DeviceUnreachable,
    };
}
