using System.Net;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>One live binding as stored: its URI (for matching), the binding, and when it was last registered (a sequence).</summary>
internal sealed record StoredBinding(AddressUri Uri, RegistrationBinding Binding, long Sequence);

/// <summary>
/// The registrar's bindings in memory, by account: atomic updates from a REGISTER (RFC 3261 section 10.3 steps 6
/// to 8), expiry, and lookups by account and by agent. Thread-safe.
/// </summary>
internal sealed class RegistrationStore(int maxBindings)
{
    private readonly Dictionary<string, List<StoredBinding>> _bindings = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _sequence;

    /// <summary>
    /// Applies a REGISTER of <paramref name="account"/>, all or nothing: when a contact it names has a binding with
    /// the same Call-ID and a CSeq at least as high, nothing changes (<paramref name="outOfOrder"/>). Expired bindings
    /// go first. Returns whether the bindings changed; <paramref name="current"/> is what the account has after.
    /// </summary>
    public bool Update(RegisterRequest request, RegistrarAccount account, IPEndPoint source, string transport, DateTimeOffset now, out bool outOfOrder, out List<StoredBinding> current)
    {
        lock (_lock)
        {
            List<StoredBinding> bindings = GetBindings(account.Username);
            bool changed = bindings.RemoveAll(binding => binding.Binding.ExpiresAt <= now) > 0;
            outOfOrder = IsOutOfOrder(bindings, request);
            if (!outOfOrder)
            {
                changed |= Apply(bindings, request, account, source, transport, now);
            }

            current = [.. bindings];
            if (bindings.Count == 0)
            {
                _bindings.Remove(account.Username);
            }

            return changed;
        }
    }

    /// <summary>The live bindings of an account, most recently registered first; empty for an unknown user.</summary>
    public IReadOnlyList<RegistrationBinding> Lookup(string username, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_bindings.TryGetValue(username, out List<StoredBinding>? bindings))
            {
                return [];
            }

            return bindings
                .Where(binding => binding.Binding.ExpiresAt > now)
                .OrderByDescending(binding => binding.Sequence)
                .Select(binding => binding.Binding)
                .ToArray();
        }
    }

    /// <summary>The most recently registered live binding of any of the agent's accounts, or null.</summary>
    public RegistrationBinding? FindByAgent(string agentId, DateTimeOffset now)
    {
        lock (_lock)
        {
            StoredBinding? best = null;
            foreach (List<StoredBinding> bindings in _bindings.Values)
            {
                foreach (StoredBinding binding in bindings)
                {
                    if (binding.Binding.ExpiresAt > now
                        && string.Equals(binding.Binding.AgentId, agentId, StringComparison.Ordinal)
                        && (best is null || binding.Sequence > best.Sequence))
                    {
                        best = binding;
                    }
                }
            }

            return best?.Binding;
        }
    }

    /// <summary>The live binding registered with this contact URI (of any account), or null.</summary>
    public RegistrationBinding? FindByContact(AddressUri contact, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _bindings.Values
                .SelectMany(bindings => bindings)
                .Where(binding => binding.Binding.ExpiresAt > now && binding.Uri.Equals(contact))
                .MaxBy(binding => binding.Sequence)?.Binding;
        }
    }

    /// <summary>
    /// Drops the bindings registered over one connection (a WebSocket that closed: nothing reaches those contacts any
    /// more); returns the agents they belonged to, each once.
    /// </summary>
    public List<string> RemoveBySource(IPEndPoint source, string transport)
    {
        var agents = new List<string>();
        lock (_lock)
        {
            foreach (List<StoredBinding> bindings in _bindings.Values)
            {
                foreach (StoredBinding gone in bindings.Where(binding => binding.Binding.Source.Equals(source)
                    && string.Equals(binding.Binding.Transport, transport, StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    bindings.Remove(gone);
                    if (!agents.Contains(gone.Binding.AgentId))
                    {
                        agents.Add(gone.Binding.AgentId);
                    }
                }
            }

            foreach (string username in _bindings.Where(pair => pair.Value.Count == 0).Select(pair => pair.Key).ToList())
            {
                _bindings.Remove(username);
            }
        }

        return agents;
    }

    /// <summary>Drops every binding of an account (removed or changed); returns the agents they belonged to.</summary>
    public List<string> RemoveAccount(string username)
    {
        lock (_lock)
        {
            if (!_bindings.Remove(username, out List<StoredBinding>? bindings))
            {
                return [];
            }

            return bindings.Select(binding => binding.Binding.AgentId).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Removes expired bindings; returns the agents whose bindings changed, each once.</summary>
    public List<string> ExpireDue(DateTimeOffset now)
    {
        var agents = new List<string>();
        lock (_lock)
        {
            foreach (List<StoredBinding> bindings in _bindings.Values)
            {
                foreach (StoredBinding expired in bindings.Where(binding => binding.Binding.ExpiresAt <= now).ToList())
                {
                    bindings.Remove(expired);
                    if (!agents.Contains(expired.Binding.AgentId))
                    {
                        agents.Add(expired.Binding.AgentId);
                    }
                }
            }

            foreach (string username in _bindings.Where(pair => pair.Value.Count == 0).Select(pair => pair.Key).ToList())
            {
                _bindings.Remove(username);
            }
        }

        return agents;
    }

    private static bool IsOutOfOrder(List<StoredBinding> bindings, RegisterRequest request)
    {
        foreach (StoredBinding binding in bindings)
        {
            bool affected = request.Wildcard || request.Contacts.Any(contact => contact.Uri.Equals(binding.Uri));
            if (affected
                && string.Equals(binding.Binding.CallId, request.CallId, StringComparison.Ordinal)
                && request.CSeq <= binding.Binding.CSeq)
            {
                return true;
            }
        }

        return false;
    }

    private List<StoredBinding> GetBindings(string username)
    {
        if (!_bindings.TryGetValue(username, out List<StoredBinding>? bindings))
        {
            bindings = [];
            _bindings[username] = bindings;
        }

        return bindings;
    }

    private bool Apply(List<StoredBinding> bindings, RegisterRequest request, RegistrarAccount account, IPEndPoint source, string transport, DateTimeOffset now)
    {
        if (request.Wildcard)
        {
            int removed = bindings.Count;
            bindings.Clear();
            return removed > 0;
        }

        bool changed = false;
        foreach (RequestedContact contact in request.Contacts)
        {
            int index = bindings.FindIndex(binding => binding.Uri.Equals(contact.Uri));
            if (contact.Seconds == 0)
            {
                if (index >= 0)
                {
                    bindings.RemoveAt(index);
                    changed = true;
                }

                continue;
            }

            var binding = new RegistrationBinding(
                account.Username,
                account.AgentId,
                contact.Uri.ToString(),
                source,
                transport,
                now.AddSeconds(contact.Seconds),
                request.CallId,
                request.CSeq)
            {
                RegisteredAt = now,
            };
            var stored = new StoredBinding(contact.Uri, binding, ++_sequence);
            if (index >= 0)
            {
                bindings[index] = stored;
            }
            else
            {
                bindings.Add(stored);
            }

            changed = true;
        }

        // Over the limit: the least recently registered go. This request's contacts have the highest
        // sequence numbers and are no more than the limit, so they always stay.
        while (bindings.Count > maxBindings)
        {
            int oldest = 0;
            for (int i = 1; i < bindings.Count; i++)
            {
                if (bindings[i].Sequence < bindings[oldest].Sequence)
                {
                    oldest = i;
                }
            }

            bindings.RemoveAt(oldest);
        }

        return changed;
    }
}
