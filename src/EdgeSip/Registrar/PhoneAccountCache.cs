using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Sip.Auth;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>
/// The phone accounts of the directory grain (<see cref="IPhoneAccountDirectoryGrain"/>) plus the accounts configured on
/// the edge, as HA1, cached: the whole list is read at most once per <see cref="RefreshInterval"/> however many REGISTERs
/// arrive, and an unknown username re-reads it at most once per <see cref="MissRefreshInterval"/> (so an account created
/// at run time registers at once, and a flood of unknown names costs one grain call a second). A removed or changed
/// account is withdrawn (its bindings dropped) at the first refresh after the change: within the refresh interval of the
/// next REGISTER or housekeeping pass. The accounts configured on the edge are seeded into the directory (those it lacks)
/// before the first read, so the directory is the one list and an admin may change or remove them. Accounts of another
/// realm are ignored (their HA1 verifies nothing here). When the grain cannot be read, the last list stays.
/// </summary>
public sealed partial class PhoneAccountCache : IRegistrarAccounts
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MissRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Func<CancellationToken, Task<IReadOnlyList<PhoneAccount>>> _load;
    private readonly Func<IReadOnlyList<PhoneAccount>, Task> _seed;
    private readonly IReadOnlyList<PhoneAccount> _configured;
    private readonly string _realm;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Dictionary<string, RegistrarAccount>? _accounts;
    private Dictionary<string, PhoneAccount> _stored = new(StringComparer.Ordinal);
    private long _loadedAt;
    private Task? _refreshing;
    private bool _seeded;

    public PhoneAccountCache(
        Func<CancellationToken, Task<IReadOnlyList<PhoneAccount>>> load,
        Func<IReadOnlyList<PhoneAccount>, Task> seed,
        IEnumerable<PhoneAccount> configured,
        string realm,
        TimeProvider time,
        ILogger logger)
    {
        _load = load;
        _seed = seed;
        _configured = configured.ToList();
        _realm = realm;
        _time = time;
        _logger = logger;
    }

    public event Action<IReadOnlyList<string>>? Withdrawn;

    /// <summary>The cache over the directory grain of <paramref name="grains"/>.</summary>
    public static PhoneAccountCache FromGrains(IGrainFactory grains, IEnumerable<PhoneAccount> configured, string realm, TimeProvider time, ILogger logger) =>
        new(
            _ => grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts).ListAsync(),
            accounts => grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts).SeedAsync(accounts),
            configured,
            realm,
            time,
            logger);

    /// <summary>Turns a stored account into the registrar's form (HA1 per algorithm).</summary>
    public static RegistrarAccount ToRegistrarAccount(PhoneAccount account) => new(
        account.Username,
        account.AgentId,
        new DigestUserSecrets(new Dictionary<DigestAlgorithm, string>
        {
            [DigestAlgorithm.Md5] = account.Ha1Md5,
            [DigestAlgorithm.Sha256] = account.Ha1Sha256,
        }));

    public async ValueTask<RegistrarAccount?> FindAsync(string username, CancellationToken ct)
    {
        if (Age() is not { } age || age >= RefreshInterval)
        {
            await RefreshAsync();
        }

        RegistrarAccount? account = Current().GetValueOrDefault(username);
        if (account is null && Age() >= MissRefreshInterval)
        {
            await RefreshAsync();
            account = Current().GetValueOrDefault(username);
        }

        return account;
    }

    public void RefreshIfStale()
    {
        if (Age() is not { } age || age >= RefreshInterval)
        {
            _ = RefreshAsync();
        }
    }

    /// <summary>Reads the directory now (one read at a time: concurrent callers share it).</summary>
    public Task RefreshAsync()
    {
        lock (_lock)
        {
            if (_refreshing is not { IsCompleted: false })
            {
                _refreshing = LoadAsync();
            }

            return _refreshing;
        }
    }

    private async Task LoadAsync()
    {
        // Never inside the caller's lock: the read and the Withdrawn handlers run after it is released.
        await Task.Yield();
        List<string> withdrawn = [];
        try
        {
            if (!_seeded && _configured.Count > 0)
            {
                await _seed(_configured);
            }

            _seeded = true;
            IReadOnlyList<PhoneAccount> loaded = await _load(CancellationToken.None);
            var stored = new Dictionary<string, PhoneAccount>(StringComparer.Ordinal);
            foreach (PhoneAccount account in loaded)
            {
                if (string.Equals(account.Realm, _realm, StringComparison.Ordinal))
                {
                    stored[account.Username] = account;
                }
            }

            var accounts = new Dictionary<string, RegistrarAccount>(StringComparer.Ordinal);
            foreach (PhoneAccount account in stored.Values)
            {
                accounts[account.Username] = ToRegistrarAccount(account);
            }

            lock (_lock)
            {
                foreach ((string username, PhoneAccount before) in _stored)
                {
                    if (!stored.TryGetValue(username, out PhoneAccount? after) || after != before)
                    {
                        withdrawn.Add(username);
                    }
                }

                _stored = stored;
                _accounts = accounts;
                _loadedAt = _time.GetTimestamp();
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogLoadFailed(exception);
            lock (_lock)
            {
                // Keep the last list and try again after the interval. With no list yet (the edge just started and the
                // cluster did not answer), nothing is cached: the next lookup reads again rather than refusing every
                // phone as unknown until the interval has passed.
                if (_accounts is not null)
                {
                    _loadedAt = _time.GetTimestamp();
                }
            }
        }

        if (withdrawn.Count > 0)
        {
            Withdrawn?.Invoke(withdrawn);
        }
    }

    /// <summary>Whether the accounts were read at least once (the edge can authenticate phones).</summary>
    public bool HasLoaded
    {
        get
        {
            lock (_lock)
            {
                return _accounts is not null;
            }
        }
    }

    private Dictionary<string, RegistrarAccount> Current()
    {
        lock (_lock)
        {
            return _accounts ?? new Dictionary<string, RegistrarAccount>(StringComparer.Ordinal);
        }
    }

    private TimeSpan? Age()
    {
        lock (_lock)
        {
            return _accounts is null ? null : _time.GetElapsedTime(_loadedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the phone accounts; the registrar keeps the last list")]
    private partial void LogLoadFailed(Exception exception);
}
