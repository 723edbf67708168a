using CallCenter.Domain.History;
using StackExchange.Redis;

namespace CallCenter.Persistence;

/// <summary>
/// Call records in one Redis stream per contact center (<c>callcenter:{serviceId}:history</c>): XADD with an
/// approximate MAXLEN cap, the record as one JSON field; XRANGE by entry id (the append time) to read. A call is
/// written when it ends, so a query for calls that arrived from T reads entries from T minus
/// <see cref="LongestCall"/>; readers keep the latest revision per call id. Agent state spans go to a second stream
/// (<c>callcenter:{serviceId}:agent-states</c>, its own approximate cap), written when a span ends; a query for spans
/// overlapping [From, To) reads entries from From minus <see cref="LongestSpan"/>.
/// </summary>
public sealed class RedisCallHistory : ICallHistory, IAsyncDisposable
{
    public const string RecordField = "record";
    public const int DefaultMaxLength = 1_000_000;
    private const int Page = 5_000;

    /// <summary>Records are appended when a call ends (or is amended); no call lasts longer than this.</summary>
    public static readonly TimeSpan LongestCall = TimeSpan.FromDays(1);

    private readonly ConfigurationOptions _options;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    /// <summary>Spans are appended when they end; a span read for an interval ended within this long after the interval's start.</summary>
    public static readonly TimeSpan LongestSpan = TimeSpan.FromDays(1);

    public RedisCallHistory(ConfigurationOptions options, string streamKey, int maxLength = DefaultMaxLength, string? spanStreamKey = null, int spanMaxLength = DefaultMaxLength)
    {
        _options = options.Clone();
        _options.AbortOnConnectFail = false;
        StreamKey = streamKey;
        SpanStreamKey = spanStreamKey ?? streamKey + ":agent-states";
        MaxLength = maxLength > 0 ? maxLength : throw new ArgumentOutOfRangeException(nameof(maxLength));
        SpanMaxLength = spanMaxLength > 0 ? spanMaxLength : throw new ArgumentOutOfRangeException(nameof(spanMaxLength));
    }

    public RedisKey StreamKey { get; }

    public RedisKey SpanStreamKey { get; }

    public int MaxLength { get; }

    public int SpanMaxLength { get; }

    public static string KeyFor(string serviceId) => $"callcenter:{serviceId}:history";

    public static string SpanKeyFor(string serviceId) => $"callcenter:{serviceId}:agent-states";

    public async Task AppendSpanAsync(AgentStateSpan span, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync();
        await database.StreamAddAsync(SpanStreamKey, RecordField, span.ToJson(), maxLength: SpanMaxLength, useApproximateMaxLength: true);
    }

    public async Task<IReadOnlyList<AgentStateSpan>> QuerySpansAsync(AgentStateQuery query, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync();
        var start = Math.Max(0, (query.From - LongestSpan).ToUnixTimeMilliseconds());
        RedisValue minId = $"{start}-0";
        var found = new List<AgentStateSpan>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await database.StreamRangeAsync(SpanStreamKey, minId, "+", Page);
            foreach (var entry in entries)
            {
                var json = entry[RecordField];
                if (!json.IsNullOrEmpty)
                {
                    var span = AgentStateSpan.FromJson(json!);
                    if (query.Matches(span))
                    {
                        found.Add(span);
                    }
                }
            }

            if (entries.Length < Page)
            {
                return found.OrderBy(span => span.From).ToList();
            }

            minId = "(" + entries[^1].Id;
        }
    }

    public async Task AppendAsync(CallRecord record, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync();
        await database.StreamAddAsync(StreamKey, RecordField, record.ToJson(), maxLength: MaxLength, useApproximateMaxLength: true);
    }

    public async Task<IReadOnlyList<CallRecord>> QueryAsync(CallQuery query, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync();
        var start = Math.Max(0, (query.From - LongestCall).ToUnixTimeMilliseconds());
        RedisValue minId = $"{start}-0";
        var found = new List<CallRecord>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await database.StreamRangeAsync(StreamKey, minId, "+", Page);
            foreach (var entry in entries)
            {
                var json = entry[RecordField];
                if (!json.IsNullOrEmpty)
                {
                    var record = CallRecord.FromJson(json!);
                    if (query.Matches(record))
                    {
                        found.Add(record);
                    }
                }
            }

            if (entries.Length < Page)
            {
                return CallRecord.Latest(found);
            }

            // Continue after the last entry (exclusive start).
            minId = "(" + entries[^1].Id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connecting.Dispose();
    }

    private async Task<IDatabase> DatabaseAsync()
    {
        if (_connection is { } ready)
        {
            return ready.GetDatabase();
        }

        await _connecting.WaitAsync();
        try
        {
            _connection ??= await ConnectionMultiplexer.ConnectAsync(_options);
            return _connection.GetDatabase();
        }
        finally
        {
            _connecting.Release();
        }
    }
}
