using System.Text.Json;
using CallCenter.Model;

namespace CallCenter.Domain.History;

/// <summary>
/// One finished presence span of one agent: the agent was in <see cref="State"/> from <see cref="From"/> to
/// <see cref="To"/>. The agent grain writes it when it leaves the state (LoggedOut spans are not written); interval
/// reports clip spans to each interval to measure occupancy (docs/reports.md).
/// </summary>
public sealed record AgentStateSpan
{
    public required string AgentId { get; init; }
    public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    public required string SiteId { get; init; }
    public PresenceState State { get; init; }
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CallRecord.Json);

    public static AgentStateSpan FromJson(string json) => JsonSerializer.Deserialize<AgentStateSpan>(json, CallRecord.Json)
        ?? throw new JsonException("an agent state span is null");

    /// <summary>Seconds of this span inside [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public double SecondsWithin(DateTimeOffset start, DateTimeOffset end)
    {
        var from = From > start ? From : start;
        var to = To < end ? To : end;
        return to > from ? (to - from).TotalSeconds : 0;
    }
}

/// <summary>Which spans a query wants: those overlapping [From, To), optionally of one tenant and site.</summary>
public sealed record AgentStateQuery
{
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public string? TenantId { get; init; }
    public string? SiteId { get; init; }

    public bool Matches(AgentStateSpan span) =>
        span.To > From && span.From < To
        && (TenantId is null || span.TenantId == TenantId)
        && (SiteId is null || span.SiteId == SiteId);
}
