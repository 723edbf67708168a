using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace CallCenter.Bench;

/// <summary>
/// Counts this process's garbage collections by generation and reason (the runtime's GCStart event), e.g. to tell gen2
/// collections triggered by large or pinned (UOH) allocations from small-object ones.
/// </summary>
internal sealed class GcReasons : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private static readonly string[] Names =
    [
        "small alloc", "induced", "low memory", "empty", "large/pinned (UOH) alloc", "out of space SOH", "out of space UOH",
        "induced not forced", "internal", "induced low memory", "induced compacting", "low memory host", "PM full",
        "low memory host blocking",
    ];

    private readonly ConcurrentDictionary<(uint Depth, uint Reason), int> _counts = new();
    private volatile bool _counting;

    /// <summary>Starts (or restarts) counting.</summary>
    public void Start()
    {
        _counts.Clear();
        _counting = true;
    }

    /// <summary>Stops counting; "gen2 large/pinned (UOH) alloc 5, gen0 small alloc 40, …".</summary>
    public string Stop()
    {
        _counting = false;
        return _counts.IsEmpty
            ? "none seen"
            : string.Join(", ", _counts.OrderByDescending(pair => pair.Key.Depth).ThenByDescending(pair => pair.Value)
                .Select(pair => $"gen{pair.Key.Depth} {(pair.Key.Reason < Names.Length ? Names[pair.Key.Reason] : $"reason {pair.Key.Reason}")} {pair.Value}"));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_counting || eventData.EventName is null || !eventData.EventName.StartsWith("GCStart", StringComparison.Ordinal)
            || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var depth = names.IndexOf("Depth");
        var reason = names.IndexOf("Reason");
        if (depth >= 0 && reason >= 0)
        {
            _counts.AddOrUpdate((Convert.ToUInt32(payload[depth]), Convert.ToUInt32(payload[reason])), 1, (_, count) => count + 1);
        }
    }
}
