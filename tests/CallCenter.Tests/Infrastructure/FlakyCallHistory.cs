using CallCenter.Domain.History;

namespace CallCenter.Tests.Infrastructure;

/// <summary>The memory history, with a switch that makes appends fail (a store briefly unavailable).</summary>
public sealed class FlakyCallHistory : ICallHistory
{
    private readonly InMemoryCallHistory _store = new();
    private int _appends;

    public volatile bool Unavailable;

    /// <summary>Appends the store took (revisions and repeats included).</summary>
    public int Appends => Volatile.Read(ref _appends);

    public Task AppendAsync(CallRecord record, CancellationToken cancellationToken = default)
    {
        if (Unavailable)
        {
            throw new InvalidOperationException("the history store is unavailable (test)");
        }

        Interlocked.Increment(ref _appends);
        return _store.AppendAsync(record, cancellationToken);
    }

    public Task<IReadOnlyList<CallRecord>> QueryAsync(CallQuery query, CancellationToken cancellationToken = default) => _store.QueryAsync(query, cancellationToken);

    public Task AppendSpanAsync(AgentStateSpan span, CancellationToken cancellationToken = default)
    {
        if (Unavailable)
        {
            throw new InvalidOperationException("the history store is unavailable (test)");
        }

        return _store.AppendSpanAsync(span, cancellationToken);
    }

    public Task<IReadOnlyList<AgentStateSpan>> QuerySpansAsync(AgentStateQuery query, CancellationToken cancellationToken = default) => _store.QuerySpansAsync(query, cancellationToken);

    public async Task<IReadOnlyList<CallRecord>> ForCallAsync(string callId) =>
        (await _store.QueryAsync(new CallQuery { From = DateTimeOffset.MinValue, To = DateTimeOffset.MaxValue })).Where(record => record.CallId == callId).ToList();
}
