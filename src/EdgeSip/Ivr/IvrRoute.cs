namespace CallCenter.EdgeSip.Ivr;

/// <summary>Where the IVR sends a caller: a queue (null: the entry point's), or nowhere because the call already ended (closed).</summary>
internal sealed record IvrRoute(string? QueueId, bool Ended = false)
{
    public static IvrRoute EntryPointQueue { get; } = new((string?)null);

    public static IvrRoute CallEnded { get; } = new(null, Ended: true);
}
