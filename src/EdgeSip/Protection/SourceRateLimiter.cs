using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Protection;

/// <summary>A SIP request as the rate limiter sees it: where it came from and its method.</summary>
public readonly record struct SipRequestSource(IPAddress Address, string Method);

/// <summary>
/// Per-source token buckets for INVITE and REGISTER, with separate budgets per method, refilled on a
/// <see cref="TimeProvider"/>; a <see cref="PartitionedRateLimiter{TResource}"/> partitioned by source. Other methods
/// are never limited (in-dialog requests, ACK, BYE and CANCEL must get through). A refused lease carries
/// <see cref="MetadataName.RetryAfter"/>: how long until the source's next token. The table of sources is bounded by
/// <see cref="RateLimitOptions.MaxTrackedSources"/>: the least recently seen source is evicted first, and a source
/// idle long enough to have full buckets again (no different from a new one) is dropped as traffic passes.
/// Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// The partitions are not <see cref="TokenBucketRateLimiter"/>s, nor is the table
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>: the library's limiters read the machine's
/// clock and take no <see cref="TimeProvider"/> (dotnet/runtime issue 106447; even a manual
/// <see cref="TokenBucketRateLimiter.TryReplenish"/> is gated on wall-clock time), so a fake clock cannot drive
/// them, and the partitioned limiter evicts idle partitions on a wall-clock timer with nothing bounding how many a
/// flood of spoofed sources creates meanwhile. The bucket arithmetic here is the token bucket's, continuous, so
/// refill and Retry-After are exact.
/// </para>
/// <para>
/// An evicted source starts again with full buckets, so the limit on a source holds only while the table is not
/// churned by more distinct sources than it can track.
/// </para>
/// </remarks>
public sealed class SourceRateLimiter : PartitionedRateLimiter<SipRequestSource>
{
    /// <summary>How many idle sources one request may drop from the tail of the table (bounded work per request).</summary>
    private const int IdleTrimPerRequest = 2;

    private static readonly RateLimitLease Unlimited = new SourceLease(acquired: true, retryAfter: null);

    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly UInt128 _ipv6Mask;
    private readonly Dictionary<SourceKey, LinkedListNode<SourceBuckets>> _entries = [];
    private readonly LinkedList<SourceBuckets> _recency = new();
    private readonly Lock _lock = new();
    private long _rejected;

    public SourceRateLimiter(RateLimitOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        RequirePositive(options.InvitesPerSecond, nameof(RateLimitOptions.InvitesPerSecond));
        RequirePositive(options.RegistersPerSecond, nameof(RateLimitOptions.RegistersPerSecond));
        if (!(options.InviteBurst >= 1) || !(options.RegisterBurst >= 1) || double.IsInfinity(options.InviteBurst) || double.IsInfinity(options.RegisterBurst))
        {
            throw new ArgumentException("The bursts must be finite and at least 1.", nameof(options));
        }

        if (options.MaxTrackedSources < 1)
        {
            throw new ArgumentException("MaxTrackedSources must be at least 1.", nameof(options));
        }

        if (options.IPv6PrefixLength is < 0 or > 128)
        {
            throw new ArgumentException("IPv6PrefixLength must be between 0 and 128.", nameof(options));
        }

        _options = options;
        _time = time;
        _ipv6Mask = options.IPv6PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - options.IPv6PrefixLength);
    }

    /// <summary>How many INVITE and REGISTER requests were refused so far.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>How many sources the table holds now (at most <see cref="RateLimitOptions.MaxTrackedSources"/>).</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Takes a token for a request; false when the source is over its budget for the method.</summary>
    public bool TryAcquire(IPAddress source, string method) => TryAcquire(source, method, out _);

    /// <summary>
    /// Takes a token for a request. When refused, <paramref name="retryAfter"/> is how long until the
    /// next token (for a Retry-After header); otherwise zero.
    /// </summary>
    public bool TryAcquire(IPAddress source, string method, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(method);
        using RateLimitLease lease = AttemptAcquire(new SipRequestSource(source, method));
        retryAfter = !lease.IsAcquired && lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics(SipRequestSource resource)
    {
        if (Bucket(resource.Method) is not { } bucket)
        {
            return null;
        }

        lock (_lock)
        {
            return _entries.TryGetValue(KeyOf(resource.Address), out LinkedListNode<SourceBuckets>? node)
                ? new RateLimiterStatistics { CurrentAvailablePermits = node.Value.For(bucket).Available(_time.GetTimestamp(), _time) }
                : null;
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(SipRequestSource resource, int permitCount)
    {
        ArgumentNullException.ThrowIfNull(resource.Address);
        ArgumentNullException.ThrowIfNull(resource.Method);
        if (permitCount != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "A SIP request takes one permit.");
        }

        if (Bucket(resource.Method) is not { } which)
        {
            return Unlimited;
        }

        SourceKey key = KeyOf(resource.Address);
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            TrimIdleTail(key, now);
            TokenBucket bucket = Touch(key, now).For(which);
            if (bucket.TryAcquire(now, _time, out TimeSpan retryAfter))
            {
                return Unlimited;
            }

            Interlocked.Increment(ref _rejected);
            return new SourceLease(acquired: false, retryAfter);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Nothing waits for a token: a SIP request over its budget is refused at once (503).</remarks>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(SipRequestSource resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _recency.Clear();
                _entries.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private static Method? Bucket(string method) => method switch
    {
        SipMethods.Invite => Method.Invite,
        SipMethods.Register => Method.Register,
        _ => null,
    };

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{name} must be a finite positive number.", name);
        }
    }

    private SourceBuckets Touch(SourceKey key, long now)
    {
        if (_entries.TryGetValue(key, out LinkedListNode<SourceBuckets>? node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }

        if (_entries.Count >= _options.MaxTrackedSources)
        {
            Evict(_recency.Last!);
        }

        node = new LinkedListNode<SourceBuckets>(new SourceBuckets(key, _options, now));
        _recency.AddFirst(node);
        _entries[key] = node;
        return node.Value;
    }

    /// <summary>Drops sources at the tail whose buckets are full again: they are no different from sources never seen.</summary>
    private void TrimIdleTail(SourceKey except, long now)
    {
        for (int i = 0; i < IdleTrimPerRequest && _recency.Last is { } oldest && !oldest.Value.Key.Equals(except) && oldest.Value.IsRested(now, _time); i++)
        {
            Evict(oldest);
        }
    }

    private void Evict(LinkedListNode<SourceBuckets> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
    }

    private SourceKey KeyOf(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (source.AddressFamily == AddressFamily.InterNetwork)
        {
            source.TryWriteBytes(bytes, out _);
            return new SourceKey(BinaryPrimitives.ReadUInt32BigEndian(bytes), IsIPv6: false);
        }

        source.TryWriteBytes(bytes, out _);
        return new SourceKey(BinaryPrimitives.ReadUInt128BigEndian(bytes) & _ipv6Mask, IsIPv6: true);
    }

    private enum Method
    {
        Invite,
        Register,
    }

    private readonly record struct SourceKey(UInt128 Address, bool IsIPv6);

    /// <summary>One source's partition: a bucket per limited method.</summary>
    private sealed class SourceBuckets(SourceKey key, RateLimitOptions options, long now)
    {
        private readonly TokenBucket _invite = new(options.InvitesPerSecond, options.InviteBurst, now);
        private readonly TokenBucket _register = new(options.RegistersPerSecond, options.RegisterBurst, now);

        public SourceKey Key { get; } = key;

        public TokenBucket For(Method method) => method == Method.Invite ? _invite : _register;

        public bool IsRested(long now, TimeProvider time) => _invite.IsFull(now, time) && _register.IsFull(now, time);
    }

    /// <summary>A token bucket of <paramref name="burst"/> tokens, full when made, refilled at <paramref name="rate"/> tokens a second.</summary>
    private sealed class TokenBucket
    {
        private readonly double _rate;
        private readonly double _burst;
        private double _tokens;
        private long _stamp;

        public TokenBucket(double rate, double burst, long now)
        {
            _rate = rate;
            _burst = burst;
            _tokens = burst;
            _stamp = now;
        }

        /// <summary>Takes a token; when there is none, <paramref name="retryAfter"/> is how long until the next.</summary>
        public bool TryAcquire(long now, TimeProvider time, out TimeSpan retryAfter)
        {
            double elapsed = time.GetElapsedTime(_stamp, now).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(_burst, _tokens + (elapsed * _rate));
                _stamp = now;
            }

            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _rate);
            return false;
        }

        /// <summary>Whether the bucket is full again by <paramref name="now"/> (as a new one would be).</summary>
        public bool IsFull(long now, TimeProvider time) => TokensAt(now, time) >= _burst;

        public long Available(long now, TimeProvider time) => (long)TokensAt(now, time);

        private double TokensAt(long now, TimeProvider time) => Math.Min(_burst, _tokens + (time.GetElapsedTime(_stamp, now).TotalSeconds * _rate));
    }

    /// <summary>A lease this limiter hands out: granted, or refused with how long until the next token.</summary>
    private sealed class SourceLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
