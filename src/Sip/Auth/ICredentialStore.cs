namespace CallCenter.Sip.Auth;

/// <summary>
/// Where <see cref="DigestAuthenticator"/> looks users up. Implementations return the HA1 values
/// precomputed per algorithm (so plain passwords need not be stored), or null for an unknown user.
/// To keep accounts from being enumerated by timing, a lookup should take about as long for an
/// unknown user as for a known one.
/// </summary>
public interface ICredentialStore
{
    ValueTask<DigestUserSecrets?> FindAsync(string username, string realm, CancellationToken cancellationToken = default);
}

/// <summary>The HA1 = H(username:realm:password) values of one user in one realm, per algorithm.</summary>
public sealed class DigestUserSecrets
{
    private readonly Dictionary<DigestAlgorithm, string> _ha1ByAlgorithm;

    public DigestUserSecrets(IReadOnlyDictionary<DigestAlgorithm, string> ha1ByAlgorithm)
    {
        _ha1ByAlgorithm = new Dictionary<DigestAlgorithm, string>();
        foreach ((DigestAlgorithm algorithm, string ha1) in ha1ByAlgorithm)
        {
            _ha1ByAlgorithm[algorithm] = ha1.ToLowerInvariant();
        }
    }

    /// <summary>Computes HA1 for every supported algorithm from a password.</summary>
    public static DigestUserSecrets FromPassword(string username, string realm, string password)
    {
        var values = new Dictionary<DigestAlgorithm, string>();
        foreach (DigestAlgorithm algorithm in DigestAlgorithm.Supported)
        {
            values[algorithm] = DigestCalculator.ComputeHa1(algorithm, username, realm, password);
        }

        return new DigestUserSecrets(values);
    }

    /// <summary>The lower-case hex HA1 for this algorithm, or null when the store has none.</summary>
    public string? GetHa1(DigestAlgorithm algorithm) => _ha1ByAlgorithm.GetValueOrDefault(algorithm);
}

/// <summary>A dictionary-backed store for tests and small deployments. Usernames are case-sensitive.</summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly Dictionary<(string Username, string Realm), DigestUserSecrets> _users = [];
    private readonly Lock _lock = new();

    public void Add(string username, string realm, string password)
    {
        DigestUserSecrets secrets = DigestUserSecrets.FromPassword(username, realm, password);
        lock (_lock)
        {
            _users[(username, realm)] = secrets;
        }
    }

    public ValueTask<DigestUserSecrets?> FindAsync(string username, string realm, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_users.GetValueOrDefault((username, realm)));
        }
    }
}
