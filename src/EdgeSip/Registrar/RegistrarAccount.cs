using CallCenter.Sip.Auth;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>What the registrar knows of an account: its username, the agent it rings for, and its HA1 values (no password).</summary>
public sealed record RegistrarAccount(string Username, string AgentId, DigestUserSecrets Secrets)
{
    /// <summary>HA1 values are secrets: never in logs through <see cref="object.ToString"/>.</summary>
    public override string ToString() => $"RegistrarAccount {{ Username = {Username}, AgentId = {AgentId} }}";
}

/// <summary>Where the registrar finds accounts. Implementations must be thread-safe.</summary>
public interface IRegistrarAccounts
{
    /// <summary>The account, or null when unknown. May read a store; should answer from a cache most of the time.</summary>
    ValueTask<RegistrarAccount?> FindAsync(string username, CancellationToken ct);

    /// <summary>Starts a refresh when the cached accounts are stale (the registrar's housekeeping calls it); never throws.</summary>
    void RefreshIfStale();

    /// <summary>Raised with the usernames that were removed or whose agent or secrets changed: their bindings go.</summary>
    event Action<IReadOnlyList<string>>? Withdrawn;
}

/// <summary>A fixed set of accounts (tests and configuration without a directory).</summary>
public sealed class FixedRegistrarAccounts(IEnumerable<RegistrarAccount> accounts) : IRegistrarAccounts
{
    private readonly Dictionary<string, RegistrarAccount> _accounts = accounts.ToDictionary(account => account.Username, StringComparer.Ordinal);

    public event Action<IReadOnlyList<string>>? Withdrawn
    {
        add { }
        remove { }
    }

    public ValueTask<RegistrarAccount?> FindAsync(string username, CancellationToken ct) =>
        ValueTask.FromResult(_accounts.GetValueOrDefault(username));

    public void RefreshIfStale()
    {
    }
}
