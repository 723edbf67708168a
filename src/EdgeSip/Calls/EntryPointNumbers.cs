using CallCenter.EdgeSip.Protection;
using CallCenter.Sip;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// How an INVITE's dialled number is read, and how one that is no entry point of ours is refused: before any answer,
/// so no call, no history and no prompt exist for it.
/// </summary>
internal static class EntryPointNumbers
{
    /// <summary>How long an INVITE to a number the edge does not know waits for a fresh look at the configuration.</summary>
    public static readonly TimeSpan RefreshWait = TimeSpan.FromSeconds(2);

    /// <summary>How soon a caller refused for want of any configuration may try again.</summary>
    public static readonly TimeSpan RetryWithoutConfiguration = TimeSpan.FromSeconds(5);

    /// <summary>The user part of the Request-URI (the number dialled), else of the To URI; empty when neither has one.</summary>
    public static string DialledNumber(SipRequest request) =>
        (request.RequestUri as SipUri)?.User ?? (request.To?.Uri as SipUri)?.User ?? "";

    /// <summary>
    /// 404 Not Found for a number that is no entry point. Not 604 (Does Not Exist Anywhere): the edge knows only its
    /// own contact center's numbers, which change at run time, so it does not tell a carrier to give up on every
    /// route. With no configuration loaded at all, 503 with Retry-After: the number may well be ours.
    /// </summary>
    public static SipResponse Refuse(SipRequest request, bool configurationLoaded) =>
        configurationLoaded
            ? SipMessageFactory.CreateResponse(request, 404, "Not Found", SipMessageFactory.NewTag())
            : OverloadResponses.ServiceUnavailable(request, RetryWithoutConfiguration);
}
