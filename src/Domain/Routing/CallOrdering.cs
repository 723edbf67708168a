using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>Rule 4 of routing: waiting calls are served by priority (with aging), then by enqueue time.</summary>
public static class CallOrdering
{
    public static double EffectivePriority(QueueDefinition queue, QueueTicket call, DateTimeOffset now)
    {
        var waitedMinutes = Math.Max(0, (now - call.EnqueuedAt).TotalMinutes);
        return call.BasePriority + (queue.AgingPointsPerMinute * waitedMinutes);
    }

    /// <summary>Negative when <paramref name="a"/> is served before <paramref name="b"/>.</summary>
    public static int Compare(QueueDefinition queue, QueueTicket a, QueueTicket b, DateTimeOffset now) =>
        Compare((a, EffectivePriority(queue, a, now)), (b, EffectivePriority(queue, b, now)));

    /// <summary>Orders calls best first: higher effective priority, then earlier enqueue, then call id for a stable order.</summary>
    public static List<QueueTicket> Order(QueueDefinition queue, IEnumerable<QueueTicket> calls, DateTimeOffset now)
    {
        var ordered = calls.Select(call => (Call: call, Priority: EffectivePriority(queue, call, now))).ToList();
        ordered.Sort(static (a, b) => Compare(a, b));
        return ordered.ConvertAll(static entry => entry.Call);
    }

    private static int Compare((QueueTicket Call, double Priority) a, (QueueTicket Call, double Priority) b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byTime = a.Call.EnqueuedAt.CompareTo(b.Call.EnqueuedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Call.CallId, b.Call.CallId);
    }
}
