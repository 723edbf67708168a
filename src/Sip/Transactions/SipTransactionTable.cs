namespace CallCenter.Sip.Transactions;

/// <summary>The live client and server transactions of a layer, by key. Thread-safe (one lock for both).</summary>
internal sealed class SipTransactionTable
{
    private readonly Dictionary<string, SipClientTransaction> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipServerTransaction> _servers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _clients.Count + _servers.Count;
            }
        }
    }

    public bool TryAddClient(string key, SipClientTransaction transaction)
    {
        lock (_lock)
        {
            return _clients.TryAdd(key, transaction);
        }
    }

    public SipClientTransaction? FindClient(string key)
    {
        lock (_lock)
        {
            return _clients.GetValueOrDefault(key);
        }
    }

    public SipServerTransaction? FindServer(string key)
    {
        lock (_lock)
        {
            return _servers.GetValueOrDefault(key);
        }
    }

    public void SetServer(string key, SipServerTransaction transaction)
    {
        lock (_lock)
        {
            _servers[key] = transaction;
        }
    }

    public void Remove(SipTransaction transaction)
    {
        lock (_lock)
        {
            if (transaction is SipClientTransaction client)
            {
                _clients.Remove(client.Key);
            }
            else if (transaction is SipServerTransaction server)
            {
                _servers.Remove(server.Key);
            }
        }
    }

    /// <summary>Every live transaction, copied.</summary>
    public List<SipTransaction> Snapshot()
    {
        lock (_lock)
        {
            return [.. _clients.Values, .. _servers.Values];
        }
    }
}
