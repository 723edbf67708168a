using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace CallCenter.Web.Security;

/// <summary>
/// Failed logins counted per user and per source address over a window, on a <see cref="PartitionedRateLimiter{TResource}"/>
/// keyed "user:&lt;id&gt;" and "source:&lt;address&gt;": each failure takes a permit; with none left, logins from that user or
/// source are refused until the window has passed, even with the right secret. The two limits are separate: a user is
/// locked after <c>maxFailures</c>, an address (a proxy with many people behind it, or one client spraying many users)
/// after <c>maxFailuresPerAddress</c>. The source is an address without its port (<see cref="ClientAddress"/>), so a new
/// connection per attempt changes nothing. The partitioned limiter drops partitions that have been idle a while, so what
/// is tracked stays bounded.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    // The live partitions, so a successful login can clear its user's count (a rate limiter has no reset of its own).
    private readonly ConcurrentDictionary<string, FailureWindowLimiter> _partitions = new(StringComparer.Ordinal);

    public LoginThrottle(int maxFailures, TimeSpan window, TimeProvider time)
        : this(maxFailures, maxFailures, window, time)
    {
    }

    public LoginThrottle(int maxFailures, int maxFailuresPerAddress, TimeSpan window, TimeProvider time)
    {
        _failures = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, partition =>
        {
            var permits = partition.StartsWith("source:", StringComparison.Ordinal) ? maxFailuresPerAddress : maxFailures;
            var limiter = new FailureWindowLimiter(permits, window, time, gone => _partitions.TryRemove(KeyValuePair.Create(partition, gone)));
            _partitions[partition] = limiter;
            return limiter;
        }), StringComparer.Ordinal);
    }

    /// <summary>True when the user or the source has failed too often lately.</summary>
    public bool IsLockedOut(string userId, string source) => Exhausted(UserKey(userId)) || Exhausted(SourceKey(source));

    public void RecordFailure(string userId, string source)
    {
        _failures.AttemptAcquire(UserKey(userId)).Dispose();
        _failures.AttemptAcquire(SourceKey(source)).Dispose();
    }

    /// <summary>A successful login clears the user's count (not the source's: one address trying many users stays limited).</summary>
    public void RecordSuccess(string userId)
    {
        if (_partitions.TryGetValue(UserKey(userId), out var limiter))
        {
            limiter.Reset();
        }
    }

    public void Dispose() => _failures.Dispose();

    private static string UserKey(string userId) => "user:" + userId;

    private static string SourceKey(string source) => "source:" + source;

    // Asking for no permit tells whether any is left without taking one.
    private bool Exhausted(string key)
    {
        using var lease = _failures.AttemptAcquire(key, permitCount: 0);
        return !lease.IsAcquired;
    }
}

/// <summary>
/// <c>maxFailures</c> permits per window; the window opens at the first failure and is read from the injected clock
/// (the framework's window limiters read the system's), so a fake clock moves it in tests.
/// </summary>
internal sealed class FailureWindowLimiter(int maxFailures, TimeSpan window, TimeProvider time, Action<FailureWindowLimiter> disposed) : RateLimiter
{
    private readonly Lock _lock = new();
    private DateTimeOffset _since;
    private int _count;

    /// <summary>Idle once its window has passed: the partitioned limiter then drops it.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var idle = time.GetUtcNow() - (_since + window);
                return _count == 0 ? TimeSpan.MaxValue : idle > TimeSpan.Zero ? idle : null;
            }
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _count = 0;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = maxFailures - CurrentCount() };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            var count = CurrentCount();
            if (count + Math.Max(permitCount, 1) > maxFailures)
            {
                return Lease.Refused;
            }

            if (permitCount > 0)
            {
                if (count == 0)
                {
                    _since = time.GetUtcNow();
                }

                _count = count + permitCount;
            }

            return Lease.Granted;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        disposed(this);
        base.Dispose(disposing);
    }

    // The count of the window in force; a window that has passed counts nothing.
    private int CurrentCount()
    {
        if (_count > 0 && _since <= time.GetUtcNow() - window)
        {
            _count = 0;
        }

        return _count;
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
