namespace CallCenter.Model;

[Alias("callcenter.routing-strategy")]
public enum RoutingStrategy
{
    LongestIdle = 0,
    MostSkilled = 1,
    RoundRobin = 2,
    LeastOccupied = 3,
}

/// <summary>Which agents a bullseye stage admits, widening as the call waits.</summary>
[Alias("callcenter.stage-scope")]
public enum StageScope
{
    /// <summary>Agents of the call's own site.</summary>
    OwnSite = 0,
    /// <summary>Agents of any site (staff and home agents).</summary>
    AnySite = 1,
    /// <summary>Agents of any site plus partner experts entitled to the queue.</summary>
    PartnerExperts = 2,
}

/// <summary>A skill the queue requires, with the lowest proficiency it accepts.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.skill-requirement")]
public sealed record SkillRequirement([property: Id(0)] string Skill, [property: Id(1)] int MinimumProficiency);

[GenerateSerializer, Immutable, Alias("callcenter.bullseye-stage")]
public sealed record BullseyeStage
{
    /// <summary>Seconds of waiting after which this stage applies.</summary>
    [Id(0)] public double AfterSeconds { get; init; }
    [Id(1)] public StageScope Scope { get; init; }
    /// <summary>When set, replaces the queue's skill requirements from this stage on (to relax or to add).</summary>
    [Id(2)] public IReadOnlyList<SkillRequirement>? Skills { get; init; }
}

[Alias("callcenter.overflow-kind")]
public enum OverflowKind
{
    None = 0,
    /// <summary>Move to another queue, keeping the original enqueue time.</summary>
    Queue = 1,
    /// <summary>Release the caller and keep a callback in the caller's place.</summary>
    Callback = 2,
    /// <summary>Play an announcement and disconnect.</summary>
    Disconnect = 3,
}

[GenerateSerializer, Immutable, Alias("callcenter.overflow-action")]
public sealed record OverflowAction
{
    [Id(0)] public OverflowKind Kind { get; init; }
    /// <summary>Seconds of waiting after which the overflow applies.</summary>
    [Id(1)] public double AfterSeconds { get; init; }
    [Id(2)] public string? TargetQueueId { get; init; }
    [Id(3)] public string? AnnouncementId { get; init; }
}

[GenerateSerializer, Immutable, Alias("callcenter.queue-definition")]
public sealed record QueueDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(3)] public Channel Channel { get; init; } = Channel.Voice;
    [Id(4)] public IReadOnlyList<SkillRequirement> RequiredSkills { get; init; } = [];
    /// <summary>Priority of calls entering this queue (higher is served first).</summary>
    [Id(5)] public int Priority { get; init; }
    /// <summary>Priority points a waiting call gains per minute of waiting.</summary>
    [Id(6)] public double AgingPointsPerMinute { get; init; }
    /// <summary>Service-level target: this fraction answered within <see cref="ServiceLevelThresholdSeconds"/>.</summary>
    [Id(7)] public double ServiceLevelTarget { get; init; } = 0.8;
    [Id(8)] public double ServiceLevelThresholdSeconds { get; init; } = 20;
    [Id(9)] public double AcceptTimeoutSeconds { get; init; } = 15;
    [Id(10)] public RoutingStrategy Strategy { get; init; } = RoutingStrategy.LongestIdle;
    /// <summary>Stages in order of <see cref="BullseyeStage.AfterSeconds"/>; the first must start at 0.</summary>
    [Id(11)] public IReadOnlyList<BullseyeStage> Stages { get; init; } = [new() { AfterSeconds = 0, Scope = StageScope.OwnSite }, new() { AfterSeconds = 30, Scope = StageScope.AnySite }];
    [Id(12)] public OverflowAction? Overflow { get; init; }
    /// <summary>Calls beyond this many waiting are refused (overflowed at once).</summary>
    [Id(13)] public int MaxQueueLength { get; init; } = 10_000;
    [Id(14)] public double WrapUpSeconds { get; init; } = 10;
    /// <summary>Offer the call first to the agent the customer last spoke to, for this many seconds of waiting.</summary>
    [Id(15)] public double LastAgentFirstSeconds { get; init; }
    /// <summary>Partner organisations whose experts may serve this queue (in a PartnerExperts stage).</summary>
    [Id(16)] public IReadOnlyList<string> EntitledPartners { get; init; } = [];
    /// <summary>Other tenants whose agents form a shared pool for this queue.</summary>
    [Id(17)] public IReadOnlyList<string> SharedPoolTenants { get; init; } = [];
}

/// <summary>How a queue stands at one site, as the global routing view shows it.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.queue-site-status")]
public sealed record QueueSiteStatus
{
    [Id(0)] public required string QueueId { get; init; }
    [Id(1)] public required string SiteId { get; init; }
    [Id(2)] public int Waiting { get; init; }
    [Id(3)] public double LongestWaitSeconds { get; init; }
    [Id(4)] public int IdleEligibleAgents { get; init; }
    [Id(5)] public double ExpectedWaitSeconds { get; init; }
    /// <summary>Answered within threshold over answered, last 15 minutes; null when nothing was answered.</summary>
    [Id(6)] public double? ServiceLevel { get; init; }
    [Id(7)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
}

[GenerateSerializer, Immutable, Alias("callcenter.queue-metrics")]
public sealed record QueueMetrics
{
    [Id(0)] public required string QueueId { get; init; }
    /// <summary>The site the figures are for, or null for all sites together.</summary>
    [Id(1)] public string? SiteId { get; init; }
    [Id(2)] public int Offered { get; init; }
    [Id(3)] public int Answered { get; init; }
    [Id(4)] public int Abandoned { get; init; }
    [Id(5)] public int Overflowed { get; init; }
    /// <summary>Answered within threshold over answered.</summary>
    [Id(6)] public double? ServiceLevel { get; init; }
    /// <summary>Answered within threshold over answered plus abandoned after the threshold.</summary>
    [Id(7)] public double? ServiceLevelWithAbandons { get; init; }
    [Id(8)] public double? AverageSpeedOfAnswerSeconds { get; init; }
    [Id(9)] public double? AverageHandleTimeSeconds { get; init; }
    [Id(10)] public double LongestWaitSeconds { get; init; }
    // Id 11 is retired (agent occupancy is a site figure: see SiteStatus.Occupancy).
    [Id(12)] public int Waiting { get; init; }
}

[GenerateSerializer, Immutable, Alias("callcenter.queue-status")]
public sealed record QueueStatus
{
    [Id(0)] public required string QueueId { get; init; }
    [Id(1)] public QueueDefinition? Definition { get; init; }
    [Id(2)] public IReadOnlyList<WaitingCallInfo> Waiting { get; init; } = [];
    [Id(3)] public int IdleAgents { get; init; }
    [Id(4)] public IReadOnlyList<QueueSiteStatus> Sites { get; init; } = [];
    [Id(5)] public required QueueMetrics Totals { get; init; }
    [Id(6)] public IReadOnlyList<QueueMetrics> BySite { get; init; } = [];
    [Id(7)] public IReadOnlyList<string> IdleAgentIds { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("callcenter.waiting-call-info")]
public sealed record WaitingCallInfo
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public required string SiteId { get; init; }
    [Id(2)] public required DateTimeOffset EnqueuedAt { get; init; }
    [Id(3)] public double EffectivePriority { get; init; }
    [Id(4)] public int Stage { get; init; }
    [Id(5)] public string? OfferedToAgentId { get; init; }
    [Id(6)] public long? OfferEpoch { get; init; }
    [Id(7)] public bool IsCallback { get; init; }
}
