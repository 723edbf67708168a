using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>A waiting call and, while it is offered, the lease of its offer.</summary>
[GenerateSerializer, Alias("callcenter.waiting-entry")]
public sealed class WaitingEntry
{
    [Id(0)] public required QueueTicket Ticket { get; set; }
    [Id(1)] public OfferLease? Offer { get; set; }
    /// <summary>True once the edge reported the offered agent's phone ringing (an expiry then charges the agent).</summary>
    [Id(2)] public bool OfferRinging { get; set; }
    /// <summary>Agents whose device could not take this call (unreachable, a fault): it is offered to others first.</summary>
    [Id(3)] public List<string> PassedOver { get; set; } = [];
}

[GenerateSerializer, Alias("callcenter.queue-grain-state")]
public sealed class QueueGrainState
{
    [Id(0)] public QueueDefinition? Definition { get; set; }
    [Id(1)] public List<WaitingEntry> Waiting { get; set; } = [];
    [Id(2)] public long NextEpoch { get; set; }
    [Id(3)] public string? RoundRobinCursor { get; set; }
}
