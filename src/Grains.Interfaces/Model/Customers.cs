namespace CallCenter.Model;

[Alias("callcenter.customer-tier")]
public enum CustomerTier
{
    Standard = 0,
    Silver = 1,
    Gold = 2,
    Vip = 3,
}

[GenerateSerializer, Immutable, Alias("callcenter.contact-record")]
public sealed record ContactRecord
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public required DateTimeOffset At { get; init; }
    [Id(2)] public CallOutcome Outcome { get; init; }
    [Id(3)] public string? AgentId { get; init; }
    [Id(4)] public string? QueueId { get; init; }
    [Id(5)] public double WaitSeconds { get; init; }
    [Id(6)] public double TalkSeconds { get; init; }
}

[GenerateSerializer, Immutable, Alias("callcenter.customer-profile")]
public sealed record CustomerProfile
{
    [Id(0)] public required string CustomerKey { get; init; }
    [Id(1)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(2)] public string? Name { get; init; }
    [Id(3)] public CustomerTier Tier { get; init; }
    [Id(4)] public string? LastAgentId { get; init; }
    [Id(5)] public IReadOnlyList<ContactRecord> History { get; init; } = [];
    [Id(6)] public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Priority points a tier adds to the queue's priority: VIPs jump ahead.</summary>
    public int PriorityBoost => Tier switch
    {
        CustomerTier.Vip => 10,
        CustomerTier.Gold => 5,
        CustomerTier.Silver => 2,
        _ => 0,
    };

    /// <summary>The grain key of a customer: tenant-qualified, so two tenants never share a customer.</summary>
    public static string KeyFor(string tenantId, string customerIdOrNumber) => $"{tenantId}/{customerIdOrNumber}";
}
