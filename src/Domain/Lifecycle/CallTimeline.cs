using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>
/// A call's timeline, bounded: the latest <see cref="MaxEntries"/> entries, how many were ever recorded (the call's
/// sequence, which observers use as its version), and the facts the call and its history record still need from
/// entries that were dropped (when it arrived and first connected, who accepted it and was connected to it).
/// A call that ping-pongs between transfers and requeues for hours stays the same size in storage and on the wire.
/// </summary>
[GenerateSerializer, Alias("callcenter.call-timeline")]
public sealed class CallTimeline
{
    /// <summary>How many of the latest entries are kept (a call normally records a dozen or two).</summary>
    public const int MaxEntries = 200;

    [Id(0)] public List<CallEvent> Recent { get; set; } = [];
    /// <summary>Entries ever recorded: the sequence of the latest one.</summary>
    [Id(1)] public long Count { get; set; }
    [Id(2)] public DateTimeOffset? FirstAt { get; set; }
    [Id(3)] public DateTimeOffset? FirstConnectedAt { get; set; }
    /// <summary>Agents who accepted an offer of the call, the latest last.</summary>
    [Id(4)] public List<string> AcceptedBy { get; set; } = [];
    /// <summary>Agents the call was connected to (an accept, or a consult handed over), the latest last.</summary>
    [Id(5)] public List<string> ConnectedTo { get; set; } = [];
    /// <summary>The agent of the latest Accepted or Connected entry.</summary>
    [Id(6)] public string? LastHandler { get; set; }

    /// <summary>Entries dropped from the front to keep the bound.</summary>
    public long Dropped => Count - Recent.Count;

    public void Add(CallEvent entry)
    {
        Recent.Add(entry);
        Count++;
        FirstAt ??= entry.At;
        if (entry.Kind == CallEventKind.Connected)
        {
            FirstConnectedAt ??= entry.At;
        }

        if (entry.AgentId is { } agentId && entry.Kind is CallEventKind.Accepted or CallEventKind.Connected)
        {
            MoveToEnd(entry.Kind == CallEventKind.Accepted ? AcceptedBy : ConnectedTo, agentId);
            LastHandler = agentId;
        }

        if (Recent.Count > MaxEntries)
        {
            Recent.RemoveRange(0, Recent.Count - MaxEntries);
        }
    }

    /// <summary>The entries recorded after <paramref name="sequence"/> that are still kept, oldest first.</summary>
    public IReadOnlyList<CallEvent> Since(long sequence)
    {
        var added = (int)Math.Clamp(Count - sequence, 0, Recent.Count);
        return added == 0 ? [] : Recent.GetRange(Recent.Count - added, added);
    }

    public bool WasAcceptedBy(string agentId) => AcceptedBy.Contains(agentId);

    /// <summary>Whether the agent accepted the call or was connected to it.</summary>
    public bool WasHandledBy(string agentId) => AcceptedBy.Contains(agentId) || ConnectedTo.Contains(agentId);

    public bool EverConnected => FirstConnectedAt is not null;

    public string? LastAcceptedBy => AcceptedBy.Count == 0 ? null : AcceptedBy[^1];

    /// <summary>The timeline of a call stored before timelines were bounded.</summary>
    public static CallTimeline From(IEnumerable<CallEvent> entries)
    {
        var timeline = new CallTimeline();
        foreach (var entry in entries)
        {
            timeline.Add(entry);
        }

        return timeline;
    }

    private static void MoveToEnd(List<string> agents, string agentId)
    {
        agents.Remove(agentId);
        agents.Add(agentId);
    }
}
