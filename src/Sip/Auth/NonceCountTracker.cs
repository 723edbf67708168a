namespace CallCenter.Sip.Auth;

/// <summary>
/// Replay protection for qop=auth: the highest nonce-count accepted per nonce. The map is bounded
/// and forgets nonces once they expire. When it is full it evicts the oldest nonce and raises a
/// watermark: nonces issued at or before the watermark that are no longer tracked are reported as
/// stale, so an evicted nonce can never be replayed with an old count.
/// </summary>
internal sealed class NonceCountTracker
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly TimeSpan _lifetime;
    private DateTimeOffset _watermark = DateTimeOffset.MinValue;

    public NonceCountTracker(int capacity, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _lifetime = lifetime;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records <paramref name="count"/> for the nonce if it is higher than any seen before.</summary>
    public NonceCountResult TryAccept(string nonce, DateTimeOffset issuedAt, uint count, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(nonce, out Entry entry))
            {
                if (count <= entry.HighestCount)
                {
                    return NonceCountResult.Replayed;
                }

                _entries[nonce] = entry with { HighestCount = count };
                return NonceCountResult.Accepted;
            }

            if (issuedAt <= _watermark)
            {
                return NonceCountResult.Forgotten;
            }

            if (_entries.Count >= _capacity)
            {
                RemoveExpired(now);
            }

            while (_entries.Count >= _capacity)
            {
                EvictOldest();
            }

            if (issuedAt <= _watermark)
            {
                return NonceCountResult.Forgotten;
            }

            _entries[nonce] = new Entry(issuedAt, count);
            return NonceCountResult.Accepted;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach ((string nonce, Entry entry) in _entries)
        {
            if (now - entry.IssuedAt > _lifetime)
            {
                (expired ??= []).Add(nonce);
            }
        }

        if (expired is not null)
        {
            foreach (string nonce in expired)
            {
                _entries.Remove(nonce);
            }
        }
    }

    private void EvictOldest()
    {
        string? oldest = null;
        DateTimeOffset oldestIssuedAt = DateTimeOffset.MaxValue;
        foreach ((string nonce, Entry entry) in _entries)
        {
            if (entry.IssuedAt < oldestIssuedAt)
            {
                oldest = nonce;
                oldestIssuedAt = entry.IssuedAt;
            }
        }

        if (oldest is not null)
        {
            _entries.Remove(oldest);
            if (oldestIssuedAt > _watermark)
            {
                _watermark = oldestIssuedAt;
            }
        }
    }

    private readonly record struct Entry(DateTimeOffset IssuedAt, uint HighestCount);
}

internal enum NonceCountResult
{
    Accepted,
    Replayed,

    /// <summary>The nonce was evicted from the map; the client must get a fresh one.</summary>
    Forgotten,
}
