using System.Text.Json;
using System.Text.Json.Serialization;
using CallCenter.Model;

namespace CallCenter.Domain.History;

/// <summary>
/// A call detail record: what a call was when it ended, with its (bounded) timeline. A call writes it when it reaches its
/// outcome (revision 1) and writes a new revision when something arrives later (a survey rating, the agent's measured
/// wrap-up); readers keep the highest revision per call id, so a record written twice never counts twice.
/// </summary>
public sealed record CallRecord
{
    public required string CallId { get; init; }
    public int Revision { get; init; } = 1;
    public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    public string? SiteId { get; init; }
    public string? QueueId { get; init; }
    /// <summary>The agent who last held the call (or who answered it, when it ended elsewhere).</summary>
    public string? AgentId { get; init; }
    public Channel Channel { get; init; } = Channel.Voice;
    public CallOutcome Outcome { get; init; }
    public string? OutcomeDetail { get; init; }
    public DateTimeOffset ArrivedAt { get; init; }
    public DateTimeOffset? FirstEnqueuedAt { get; init; }
    public DateTimeOffset? ConnectedAt { get; init; }
    public DateTimeOffset EndedAt { get; init; }
    /// <summary>Seconds in the last queue before an agent took the call, or before the caller hung up.</summary>
    public double WaitSeconds { get; init; }
    /// <summary>Seconds connected to an agent (holds included).</summary>
    public double TalkSeconds { get; init; }
    /// <summary>The agent's wrap-up after the call, as the agent measured it (0 until reported).</summary>
    public double WrapUpSeconds { get; init; }
    public int? SurveyRating { get; init; }
    public string? CallbackOfCallId { get; init; }
    public IReadOnlyDictionary<string, string> Dispositions { get; init; } = new Dictionary<string, string>();
    /// <summary>The call's latest timeline entries (a call keeps at most <see cref="Lifecycle.CallTimeline.MaxEntries"/>).</summary>
    public IReadOnlyList<CallEvent> Timeline { get; init; } = [];
    /// <summary>Entries dropped from the front of <see cref="Timeline"/> to keep it bounded (0 for nearly every call).</summary>
    public long TimelineDropped { get; init; }
    /// <summary>Every agent who accepted the call or was connected to it, including those whose entries were dropped.</summary>
    public IReadOnlyList<string> HandledBy { get; init; } = [];

    /// <summary>True when an agent took the call.</summary>
    [JsonIgnore]
    public bool WasAnswered => ConnectedAt is not null;

    /// <summary>How records and spans are written to the history store; read-only, so no caller can change it for everyone.</summary>
    public static JsonSerializerOptions Json { get; } = ReadOnly(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CallRecord FromJson(string json) => JsonSerializer.Deserialize<CallRecord>(json, Json)
        ?? throw new JsonException("a call record is null");

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The latest revision of each call, in arrival order: the idempotent view every query and report uses.</summary>
    public static IReadOnlyList<CallRecord> Latest(IEnumerable<CallRecord> records) =>
        records.GroupBy(record => record.CallId, StringComparer.Ordinal)
            .Select(group => group.MaxBy(record => record.Revision)!)
            .OrderBy(record => record.ArrivedAt).ThenBy(record => record.CallId, StringComparer.Ordinal)
            .ToList();
}

/// <summary>Which records a query wants: arrival time in [From, To), and optionally a tenant, queue, agent, site.</summary>
public sealed record CallQuery
{
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public string? TenantId { get; init; }
    public string? QueueId { get; init; }
    public string? AgentId { get; init; }
    public string? SiteId { get; init; }

    public bool Matches(CallRecord record) =>
        record.ArrivedAt >= From && record.ArrivedAt < To
        && (TenantId is null || record.TenantId == TenantId)
        && (QueueId is null || record.QueueId == QueueId)
        && (SiteId is null || record.SiteId == SiteId)
        && (AgentId is null || record.AgentId == AgentId || record.HandledBy.Contains(AgentId) || record.Timeline.Any(e => e.AgentId == AgentId && e.Kind is CallEventKind.Accepted or CallEventKind.Connected));
}

/// <summary>
/// The durable store of call records: Redis Streams when the cluster runs on Redis, this process's memory otherwise.
/// Append may be called more than once for one call (retries, later revisions); <see cref="QueryAsync"/> returns the
/// latest revision of each matching call once. It also keeps the agents' finished presence spans
/// (<see cref="AgentStateSpan"/>), which interval reports use for occupancy.
/// </summary>
public interface ICallHistory
{
    Task AppendAsync(CallRecord record, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CallRecord>> QueryAsync(CallQuery query, CancellationToken cancellationToken = default);

    /// <summary>Stores one finished presence span. Not retried by the agent grain: a span the store does not take is lost.</summary>
    Task AppendSpanAsync(AgentStateSpan span, CancellationToken cancellationToken = default);

    /// <summary>The spans overlapping the query's range, in start order.</summary>
    Task<IReadOnlyList<AgentStateSpan>> QuerySpansAsync(AgentStateQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// History in this process's memory, bounded to the newest <see cref="Capacity"/> call appends and, separately, the
/// newest <see cref="Capacity"/> agent state spans (both lost with the process).
/// </summary>
public sealed class InMemoryCallHistory(int capacity = InMemoryCallHistory.DefaultCapacity) : ICallHistory
{
    public const int DefaultCapacity = 100_000;
    private readonly LinkedList<CallRecord> _records = new();
    private readonly LinkedList<AgentStateSpan> _spans = new();
    private readonly Lock _gate = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public Task AppendAsync(CallRecord record, CancellationToken cancellationToken = default) => Append(_records, record);

    public Task<IReadOnlyList<CallRecord>> QueryAsync(CallQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(CallRecord.Latest(Copy(_records).Where(query.Matches)));

    public Task AppendSpanAsync(AgentStateSpan span, CancellationToken cancellationToken = default) => Append(_spans, span);

    public Task<IReadOnlyList<AgentStateSpan>> QuerySpansAsync(AgentStateQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AgentStateSpan>>(Copy(_spans).Where(query.Matches).OrderBy(span => span.From).ToList());

    /// <summary>Appends and drops the oldest beyond <see cref="Capacity"/>.</summary>
    private Task Append<T>(LinkedList<T> list, T item)
    {
        lock (_gate)
        {
            list.AddLast(item);
            while (list.Count > Capacity)
            {
                list.RemoveFirst();
            }
        }

        return Task.CompletedTask;
    }

    private List<T> Copy<T>(LinkedList<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }
}
