using System.Collections.Concurrent;

namespace CallCenter.Web.Security;

/// <summary>
/// Failed logins counted per user and per source address over a window; past the limit, logins from that user or
/// source are refused until the window has passed, even with the right secret. Bounded: old entries are swept.
/// </summary>
public sealed class LoginThrottle(int maxFailures, TimeSpan window, TimeProvider time)
{
    private const int MaxTracked = 100_000;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    /// <summary>True when the user or the source has failed too often lately.</summary>
    public bool IsLockedOut(string userId, string source) => Count("user:" + userId) >= maxFailures || Count("source:" + source) >= maxFailures;

    public void RecordFailure(string userId, string source)
    {
        if (_failures.Count >= MaxTracked)
        {
            Sweep();
        }

        Add("user:" + userId);
        Add("source:" + source);
    }

    /// <summary>A successful login clears the user's count (not the source's: one address trying many users stays limited).</summary>
    public void RecordSuccess(string userId) => _failures.TryRemove("user:" + userId, out _);

    private int Count(string key)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            return 0;
        }

        lock (failures)
        {
            return failures.Since > time.GetUtcNow() - window ? failures.Count : 0;
        }
    }

    private void Add(string key)
    {
        var now = time.GetUtcNow();
        var failures = _failures.GetOrAdd(key, _ => new Failures { Since = now });
        lock (failures)
        {
            if (failures.Since <= now - window)
            {
                failures.Since = now;
                failures.Count = 0;
            }

            failures.Count++;
        }
    }

    private void Sweep()
    {
        var cutoff = time.GetUtcNow() - window;
        foreach (var (key, failures) in _failures)
        {
            if (failures.Since <= cutoff)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private sealed class Failures
    {
        public DateTimeOffset Since { get; set; }

        public int Count { get; set; }
    }
}
