using System.Globalization;
using CallCenter.Sip;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// Every INVITE gets a final response: one the edge could not take to the grains (they stayed unreachable after the
/// retries) is refused with 503 and a Retry-After, never left at 100 Trying.
/// </summary>
internal static class UnansweredInvite
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>Sends 503 unless a final response went already (the transaction ignores a second one anyway). True when sent.</summary>
    public static bool RefuseIfPending(SipServerTransaction invite)
    {
        if (invite.LastResponse is { StatusCode: >= 200 })
        {
            return false;
        }

        var refusal = SipMessageFactory.CreateResponse(invite.Request, 503, "Service Unavailable", SipMessageFactory.NewTag());
        refusal.Headers.Add("Retry-After", ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        invite.SendResponse(refusal);
        return true;
    }
}
