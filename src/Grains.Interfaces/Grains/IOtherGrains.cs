using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>A customer (key: tenant/number or tenant/CRM id): profile, tier, contact history, last agent.</summary>
[Alias("callcenter.customer")]
public interface ICustomerGrain : IGrainWithStringKey
{
    [Alias("callcenter.customer.get-profile")]
    Task<CustomerProfile> GetProfileAsync();

    [Alias("callcenter.customer.update-profile")]
    Task<CustomerProfile> UpdateProfileAsync(string? name, CustomerTier tier, IReadOnlyDictionary<string, string>? attributes);

    [Alias("callcenter.customer.add-contact")]
    Task AddContactAsync(ContactRecord contact);
}

/// <summary>The contact-center configuration (key: "default"): validated whole, stored, then pushed to queues and agents.</summary>
[Alias("callcenter.configuration")]
public interface IConfigurationGrain : IGrainWithStringKey
{
    [Alias("callcenter.configuration.get")]
    Task<ContactCenterConfiguration> GetAsync();

    /// <summary>Validates and applies a whole configuration; nothing changes when any error is found.</summary>
    [Alias("callcenter.configuration.apply")]
    Task<ApplyResult> ApplyAsync(ContactCenterConfiguration configuration);

    /// <summary>Applies <paramref name="configuration"/> only if nothing was ever applied (the silo's start-up configuration).</summary>
    [Alias("callcenter.configuration.seed")]
    Task<ApplyResult> SeedAsync(ContactCenterConfiguration configuration);

    /// <summary>The version of the configuration in effect: a cheap check for readers that cache it (the SIP edges).</summary>
    [AlwaysInterleave, Alias("callcenter.configuration.get-version")]
    Task<long> GetVersionAsync();

    [AlwaysInterleave, Alias("callcenter.configuration.find-entry-point")]
    Task<EntryPoint?> FindEntryPointAsync(string dialledNumber);

    /// <summary>
    /// Each agent's site, for placing agent grains. It interleaves because placement asks for it while an apply is
    /// activating agents (the configuration is written before the push, so the answer already has them).
    /// </summary>
    [AlwaysInterleave, Alias("callcenter.configuration.get-agent-sites")]
    Task<AgentSites> GetAgentSitesAsync();
}

/// <summary>One site (key: site id): agents by state and occupancy (its agents report to it on an interface internal to the grains).</summary>
[Alias("callcenter.site")]
public interface ISiteGrain : IGrainWithStringKey
{
    [Alias("callcenter.site.get-status")]
    Task<SiteStatus> GetStatusAsync();
}

/// <summary>The global routing view (key: "global"): every queue at every site, reported by the queues about every second (on an interface internal to the grains).</summary>
[Alias("callcenter.routing-view")]
public interface IRoutingViewGrain : IGrainWithStringKey
{
    [Alias("callcenter.routing-view.get")]
    Task<RoutingViewSnapshot> GetAsync();
}

/// <summary>A per-silo, stateless cache of the routing view, so reading it costs no cross-silo call most of the time.</summary>
[Alias("callcenter.routing-view-cache")]
public interface IRoutingViewCacheGrain : IGrainWithIntegerKey
{
    [Alias("callcenter.routing-view-cache.get")]
    Task<RoutingViewSnapshot> GetAsync();
}

/// <summary>The gateway's users (key: "users"): roles and secret hashes, stored with the rest of the contact center's state.</summary>
[Alias("callcenter.user-directory")]
public interface IUserDirectoryGrain : IGrainWithStringKey
{
    [Alias("callcenter.user-directory.find")]
    Task<UserRecord?> FindAsync(string userId);

    /// <summary>
    /// Adds or replaces a user (the record carries only the secret's hash). A changed secret, role, tenant or agent
    /// revokes the user's sessions (<see cref="UserRecord.SessionEpoch"/> moves on).
    /// </summary>
    [Alias("callcenter.user-directory.upsert")]
    Task UpsertAsync(UserRecord user);

    /// <summary>Ends every session of the user (logout, an admin's sign-out); false for an unknown user.</summary>
    [Alias("callcenter.user-directory.revoke-sessions")]
    Task<bool> RevokeSessionsAsync(string userId);

    /// <summary>Ends every session of the users who work as <paramref name="agentId"/> (a supervisor's force-logout); how many.</summary>
    [Alias("callcenter.user-directory.revoke-agent-sessions")]
    Task<int> RevokeAgentSessionsAsync(string agentId);

    /// <summary>Adds the users not yet stored; users already stored keep what they have.</summary>
    [Alias("callcenter.user-directory.seed")]
    Task<int> SeedAsync(IReadOnlyList<UserRecord> users);

    [Alias("callcenter.user-directory.remove")]
    Task<bool> RemoveAsync(string userId);

    [Alias("callcenter.user-directory.list")]
    Task<IReadOnlyList<UserRecord>> ListAsync();

    /// <summary>
    /// Tells <paramref name="observer"/> of every session revocation from now on (a silo's open streams end on it);
    /// forgotten after five minutes without a renewal.
    /// </summary>
    [Alias("callcenter.user-directory.subscribe")]
    Task SubscribeAsync(IUserSessionsObserver observer);

    [Alias("callcenter.user-directory.unsubscribe")]
    Task UnsubscribeAsync(IUserSessionsObserver observer);
}

/// <summary>Hears that a user's sessions have ended: every token with an epoch below <c>sessionEpoch</c> is dead.</summary>
[Alias("callcenter.user-directory.observer")]
public interface IUserSessionsObserver : IGrainObserver
{
    /// <summary><paramref name="sessionEpoch"/> is the user's new epoch, or <see cref="long.MaxValue"/> when the user was removed.</summary>
    [Alias("callcenter.user-directory.observer.on-sessions-ended")]
    void OnSessionsEnded(string userId, long sessionEpoch);
}
