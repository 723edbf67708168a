namespace CallCenter.Sip.Auth;

/// <summary>
/// Replay protection for qop=auth: the highest nonce-count accepted per nonce. The map is bounded
/// and forgets nonces once they expire. When it is full it evicts the oldest nonce (ordered by issue
/// time, then by the nonce text) and raises a watermark to it: an untracked nonce at or below the
/// watermark is reported as forgotten (the caller answers stale), so an evicted nonce can never be
/// replayed with an old count. Nonces above the watermark that are untracked were never used.
/// </summary>
internal sealed class NonceCountTracker
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly TimeSpan _lifetime;
    private (DateTimeOffset IssuedAt, string Nonce) _watermark = (DateTimeOffset.MinValue, string.Empty);

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

            if (IsAtOrBelowWatermark(issuedAt, nonce))
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

            if (IsAtOrBelowWatermark(issuedAt, nonce))
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

    private static int Compare(DateTimeOffset issuedAt, string nonce, DateTimeOffset otherIssuedAt, string otherNonce)
    {
        int byTime = issuedAt.CompareTo(otherIssuedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(nonce, otherNonce);
    }

    private bool IsAtOrBelowWatermark(DateTimeOffset issuedAt, string nonce) =>
        Compare(issuedAt, nonce, _watermark.IssuedAt, _watermark.Nonce) <= 0;

    private void EvictOldest()
    {
        string? oldest = null;
        DateTimeOffset oldestIssuedAt = DateTimeOffset.MaxValue;
        foreach ((string nonce, Entry entry) in _entries)
        {
            if (oldest is null || Compare(entry.IssuedAt, nonce, oldestIssuedAt, oldest) < 0)
            {
                oldest = nonce;
                oldestIssuedAt = entry.IssuedAt;
            }
        }

        if (oldest is not null)
        {
            _entries.Remove(oldest);
            if (!IsAtOrBelowWatermark(oldestIssuedAt, oldest))
            {
                _watermark = (oldestIssuedAt, oldest);
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
