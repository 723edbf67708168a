using System.Globalization;
using CallCenter.Sip;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Protection;

/// <summary>Responses for requests the edge refuses to process because of load or rate limits.</summary>
public static class OverloadResponses
{
    /// <summary>
    /// 503 Service Unavailable with Retry-After in whole seconds (rounded up, at least 1), as RFC 3261
    /// section 21.5.4 suggests for a temporarily overloaded server.
    /// </summary>
    public static SipResponse ServiceUnavailable(SipRequest request, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(request);
        SipResponse response = SipMessageFactory.CreateResponse(request, 503, "Service Unavailable", SipMessageFactory.NewTag());
        response.Headers.Add("Retry-After", RetryAfterSeconds(retryAfter).ToString(CultureInfo.InvariantCulture));
        return response;
    }

    /// <summary>The Retry-After value for a wait: whole seconds rounded up, between 1 and 2^31-1.</summary>
    public static long RetryAfterSeconds(TimeSpan retryAfter) =>
        (long)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);
}
