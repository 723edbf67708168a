namespace CallCenter.Model;

[Alias("callcenter.agent-kind")]
public enum AgentKind
{
    Staff = 0,
    Home = 1,
    PartnerExpert = 2,
}

[Alias("callcenter.channel")]
public enum Channel
{
    Voice = 0,
    Chat = 1,
}

[Alias("callcenter.presence-state")]
public enum PresenceState
{
    LoggedOut = 0,
    Available = 1,
    NotReady = 2,
    Reserved = 3,
    Busy = 4,
    WrapUp = 5,
}

/// <summary>A skill the agent has, with proficiency 1 (novice) to 10 (expert).</summary>
[GenerateSerializer, Immutable, Alias("callcenter.skill-level")]
public sealed record SkillLevel([property: Id(0)] string Skill, [property: Id(1)] int Proficiency);

/// <summary>How many simultaneous contacts an agent takes per channel (voice is always 1).</summary>
[GenerateSerializer, Immutable, Alias("callcenter.channel-capacity")]
public sealed record ChannelCapacity([property: Id(0)] Channel Channel, [property: Id(1)] int Capacity);

[GenerateSerializer, Immutable, Alias("callcenter.agent-definition")]
public sealed record AgentDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(3)] public required string SiteId { get; init; }
    [Id(4)] public AgentKind Kind { get; init; } = AgentKind.Staff;
    /// <summary>Set for partner experts: the organisation whose entitlements decide which queues they serve.</summary>
    [Id(5)] public string? PartnerOrganization { get; init; }
    [Id(6)] public IReadOnlyList<SkillLevel> Skills { get; init; } = [];
    [Id(7)] public IReadOnlyList<ChannelCapacity> Capacities { get; init; } = [new(Channel.Voice, 1)];
    /// <summary>A SIP URI or phone number the edge dials for this agent's voice calls when no phone is registered.</summary>
    [Id(8)] public string? PhoneUri { get; init; }

    public int CapacityFor(Channel channel)
    {
        foreach (var capacity in Capacities)
        {
            if (capacity.Channel == channel)
            {
                return channel == Channel.Voice ? Math.Min(1, capacity.Capacity) : capacity.Capacity;
            }
        }

        return 0;
    }

    public int ProficiencyIn(string skill)
    {
        foreach (var level in Skills)
        {
            if (string.Equals(level.Skill, skill, StringComparison.OrdinalIgnoreCase))
            {
                return level.Proficiency;
            }
        }

        return 0;
    }
}

/// <summary>An agent's presence: the state plus what qualifies it.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.agent-presence")]
public sealed record AgentPresence
{
    [Id(0)] public PresenceState State { get; init; } = PresenceState.LoggedOut;
    /// <summary>The reason code when <see cref="State"/> is NotReady.</summary>
    [Id(1)] public string? ReasonCode { get; init; }
    /// <summary>The end of wrap-up when <see cref="State"/> is WrapUp.</summary>
    [Id(2)] public DateTimeOffset? WrapUpUntil { get; init; }
    [Id(3)] public DateTimeOffset Since { get; init; }

    public static AgentPresence LoggedOut(DateTimeOffset since) => new() { State = PresenceState.LoggedOut, Since = since };
}

[GenerateSerializer, Immutable, Alias("callcenter.agent-counters")]
public sealed record AgentCounters
{
    [Id(0)] public DateTimeOffset? IdleSince { get; init; }
    [Id(1)] public int Handled { get; init; }
    [Id(2)] public double TalkSeconds { get; init; }
    [Id(3)] public int MissedOffers { get; init; }
    /// <summary>Seconds spent handling (reserved, busy, wrap-up) since login: with <see cref="AvailableSeconds"/> it gives occupancy.</summary>
    [Id(4)] public double HandlingSeconds { get; init; }
    [Id(5)] public double AvailableSeconds { get; init; }

    public double Occupancy => HandlingSeconds + AvailableSeconds <= 0 ? 0 : HandlingSeconds / (HandlingSeconds + AvailableSeconds);
}

/// <summary>A call the agent currently holds or has been offered.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.agent-call-ref")]
public sealed record AgentCallRef(
    [property: Id(0)] string CallId,
    [property: Id(1)] string QueueId,
    [property: Id(2)] long Epoch,
    [property: Id(3)] Channel Channel,
    [property: Id(4)] DateTimeOffset? OfferExpiresAt);

[GenerateSerializer, Immutable, Alias("callcenter.agent-status")]
public sealed record AgentStatus
{
    [Id(0)] public required string AgentId { get; init; }
    [Id(1)] public AgentDefinition? Definition { get; init; }
    [Id(2)] public required AgentPresence Presence { get; init; }
    [Id(3)] public AgentCallRef? Offer { get; init; }
    [Id(4)] public IReadOnlyList<AgentCallRef> Calls { get; init; } = [];
    [Id(5)] public required AgentCounters Counters { get; init; }
    /// <summary>Grows with every presence change; queues use it to ignore stale availability notices.</summary>
    [Id(6)] public long PresenceVersion { get; init; }
    /// <summary>Where the edge reaches the agent's phone: the registered contact while the registration lasts, else the configured URI.</summary>
    [Id(7)] public string? PhoneContact { get; init; }
    /// <summary>Set while the agent's desktop is disconnected: when its grace period ends.</summary>
    [Id(8)] public DateTimeOffset? DesktopGraceUntil { get; init; }
}

/// <summary>What a queue needs to know about an idle agent to route to it.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.agent-availability")]
public sealed record AgentAvailability
{
    [Id(0)] public required string AgentId { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public required string SiteId { get; init; }
    [Id(3)] public AgentKind Kind { get; init; }
    [Id(4)] public string? PartnerOrganization { get; init; }
    [Id(5)] public IReadOnlyList<SkillLevel> Skills { get; init; } = [];
    [Id(6)] public required DateTimeOffset IdleSince { get; init; }
    [Id(7)] public double Occupancy { get; init; }
    [Id(8)] public long PresenceVersion { get; init; }
    /// <summary>Channels with free capacity right now.</summary>
    [Id(9)] public IReadOnlyList<Channel> FreeChannels { get; init; } = [Channel.Voice];
    /// <summary>The agent has a phone the SIP edge can ring (registered, or a configured URI).</summary>
    [Id(10)] public bool HasPhone { get; init; }

    public int ProficiencyIn(string skill)
    {
        foreach (var level in Skills)
        {
            if (string.Equals(level.Skill, skill, StringComparison.OrdinalIgnoreCase))
            {
                return level.Proficiency;
            }
        }

        return 0;
    }
}

/// <summary>What the configuration tells one agent grain: its profile, the queues it tells about its availability, the reason codes it may use.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.agent-configuration")]
public sealed record AgentConfiguration
{
    [Id(0)] public required AgentDefinition Definition { get; init; }
    [Id(1)] public IReadOnlyList<string> CandidateQueueIds { get; init; } = [];
    [Id(2)] public IReadOnlyList<string> ReasonCodes { get; init; } = [];
}

/// <summary>One event stream of a desktop session: <see cref="Number"/> grows with every stream the agent opens.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.desktop-connection")]
public sealed record DesktopConnection(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long Number,
    [property: Id(2)] bool Resumed);
