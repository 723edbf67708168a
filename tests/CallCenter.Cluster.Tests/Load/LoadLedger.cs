using System.Collections.Concurrent;
using System.Diagnostics;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// What the simulated callers and desks saw: every call a caller placed, every accept the cluster confirmed, every
/// breach of an invariant a desk observed. Times are offsets on one stopwatch, for the printed recovery figures only.
/// </summary>
public sealed class LoadLedger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, TimeSpan> _placed = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _acceptedBy = new();
    private readonly ConcurrentQueue<(TimeSpan At, string CallId, string AgentId)> _answers = new();
    private readonly ConcurrentQueue<(TimeSpan At, string CallId)> _offers = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, int> _failuresByType = new();
    private string? _firstFailure;

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<string> PlacedCalls => _placed.Keys.ToList();

    public IReadOnlyList<string> Violations => _violations.ToList();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AcceptedBy =>
        _acceptedBy.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value.ToList());

    public void CallPlaced(string callId) => _placed.TryAdd(callId, Now);

    public void OfferSeen(string callId) => _offers.Enqueue((Now, callId));

    /// <summary>The cluster answered Ok to an agent's accept: the call is that agent's.</summary>
    public void Accepted(string callId, string agentId)
    {
        _acceptedBy.GetOrAdd(callId, _ => new ConcurrentQueue<string>()).Enqueue(agentId);
        _answers.Enqueue((Now, callId, agentId));
    }

    public void Violation(string what) => _violations.Enqueue(what);

    /// <summary>A caller's or desk's request the cluster failed (then retried), counted by exception type for the log.</summary>
    public void RequestFailed(Exception exception)
    {
        _failuresByType.AddOrUpdate(exception.GetType().Name, 1, (_, count) => count + 1);
        if (_firstFailure is null)
        {
            Interlocked.CompareExchange(ref _firstFailure, exception.Message, null);
        }
    }

    public string FailureSummary => _failuresByType.IsEmpty
        ? "no failed requests"
        : string.Join(", ", _failuresByType.Select(pair => $"{pair.Value} × {pair.Key}")) + $" (first: {_firstFailure})";

    public int FailedRequests => _failuresByType.Values.Sum();

    /// <summary>How many calls placed at or after <paramref name="since"/> were answered.</summary>
    public int AnsweredPlacedSince(TimeSpan since) =>
        _answers.Select(answer => answer.CallId).Distinct().Count(callId => _placed.TryGetValue(callId, out var placed) && placed >= since);

    public int Answered => _answers.Count;

    /// <summary>The agents who answered a call placed at or after <paramref name="since"/>.</summary>
    public IReadOnlySet<string> AgentsAnsweringCallsPlacedSince(TimeSpan since) => _answers
        .Where(answer => _placed.TryGetValue(answer.CallId, out var placed) && placed >= since)
        .Select(answer => answer.AgentId)
        .ToHashSet();

    public TimeSpan? FirstAnswerAfter(TimeSpan since) => _answers.Where(answer => answer.At >= since).Select(answer => (TimeSpan?)answer.At).Min();

    public TimeSpan? FirstOfferAfter(TimeSpan since) => _offers.Where(offer => offer.At >= since).Select(offer => (TimeSpan?)offer.At).Min();

    /// <summary>The first answer of a call that was placed at or after <paramref name="since"/>: routing of new calls works again.</summary>
    public TimeSpan? FirstAnswerOfCallPlacedAfter(TimeSpan since) => _answers
        .Where(answer => _placed.TryGetValue(answer.CallId, out var placed) && placed >= since)
        .Select(answer => (TimeSpan?)answer.At)
        .Min();
}
