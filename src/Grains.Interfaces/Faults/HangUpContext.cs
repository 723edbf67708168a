namespace CallCenter;

/// <summary>
/// When the edge saw a hang-up, by the edge's clock, carried in the request context of <c>HangUpSinceAsync</c> beside its
/// "how long ago". The "ago" is counted only until the request was sent: a request held in transit (in a frozen silo's
/// gateway until it thaws) arrives late with a small "ago", and the call would end at its delivery. The grain takes the
/// earlier of the two, within its bounds (never in its future, never more than an edge lease ago, never before arrival).
/// </summary>
public static class HangUpContext
{
    public const string HungUpAtKey = "callcenter.hung-up-at";

    /// <summary>Sets the hang-up's instant for the grain calls made next on this flow of execution.</summary>
    public static void Set(DateTimeOffset hungUpAt) => RequestContext.Set(HungUpAtKey, hungUpAt.ToUnixTimeMilliseconds());

    public static void Clear() => RequestContext.Remove(HungUpAtKey);

    /// <summary>The instant the current request carries, if any.</summary>
    public static DateTimeOffset? Read() => RequestContext.Get(HungUpAtKey) is long milliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
}
