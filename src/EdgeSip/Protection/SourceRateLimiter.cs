using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Protection;

/// <summary>
/// Per-source token buckets for INVITE and REGISTER, with separate budgets per method, refilled on a
/// <see cref="TimeProvider"/>. Other methods are never limited (in-dialog requests, ACK, BYE and
/// CANCEL must get through). The table of sources is bounded by
/// <see cref="RateLimitOptions.MaxTrackedSources"/>: the least recently seen source is evicted first.
/// Thread-safe.
/// </summary>
/// <remarks>
/// An evicted source starts again with full buckets, so the limit on a source holds only while the
/// table is not churned by more distinct sources than it can track.
/// </remarks>
public sealed class SourceRateLimiter
{
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly UInt128 _ipv6Mask;
    private readonly Dictionary<SourceKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
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
        retryAfter = TimeSpan.Zero;
        bool invite = method == SipMethods.Invite;
        if (!invite && method != SipMethods.Register)
        {
            return true;
        }

        double rate = invite ? _options.InvitesPerSecond : _options.RegistersPerSecond;
        double burst = invite ? _options.InviteBurst : _options.RegisterBurst;
        SourceKey key = KeyOf(source);
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            Entry entry = Touch(key, now);
            ref Bucket bucket = ref invite ? ref entry.Invite : ref entry.Register;
            double elapsed = _time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            if (elapsed > 0)
            {
                bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * rate));
                bucket.Stamp = now;
            }

            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / rate);
        }

        Interlocked.Increment(ref _rejected);
        return false;
    }

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{name} must be a finite positive number.", name);
        }
    }

    private Entry Touch(SourceKey key, long now)
    {
        if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }

        if (_entries.Count >= _options.MaxTrackedSources)
        {
            // Reuse the least recently seen source's node: a flood of new sources allocates nothing.
            node = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(node.Value.Key);
        }
        else
        {
            node = new LinkedListNode<Entry>(new Entry());
        }

        node.Value.Reset(key, now, _options.InviteBurst, _options.RegisterBurst);
        _recency.AddFirst(node);
        _entries[key] = node;
        return node.Value;
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

    private readonly record struct SourceKey(UInt128 Address, bool IsIPv6);

    private struct Bucket
    {
        public double Tokens;
        public long Stamp;
    }

    private sealed class Entry
    {
        public Bucket Invite;
        public Bucket Register;

        public SourceKey Key { get; private set; }

        public void Reset(SourceKey key, long now, double inviteBurst, double registerBurst)
        {
            Key = key;
            Invite = new Bucket { Tokens = inviteBurst, Stamp = now };
            Register = new Bucket { Tokens = registerBurst, Stamp = now };
        }
    }
}
