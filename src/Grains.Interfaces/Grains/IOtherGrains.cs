using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>A customer (key: tenant/number or tenant/CRM id): profile, tier, contact history, last agent.</summary>
[Alias("ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    [Alias("GetProfileAsync")]
    Task<CustomerProfile> GetProfileAsync();

    [Alias("UpdateProfileAsync")]
    Task<CustomerProfile> UpdateProfileAsync(string? name, CustomerTier tier, IReadOnlyDictionary<string, string>? attributes);

    [Alias("AddContactAsync")]
    Task AddContactAsync(ContactRecord contact);
}

/// <summary>The contact-center configuration (key: "default"): validated whole, stored, then pushed to queues and agents.</summary>
[Alias("IConfigurationGrain")]
public interface IConfigurationGrain : IGrainWithStringKey
{
    [Alias("GetAsync")]
    Task<ContactCenterConfiguration> GetAsync();

    /// <summary>Validates and applies a whole configuration; nothing changes when any error is found.</summary>
    [Alias("ApplyAsync")]
    Task<ApplyResult> ApplyAsync(ContactCenterConfiguration configuration);

    /// <summary>Applies <paramref name="configuration"/> only if nothing was ever applied (the silo's start-up configuration).</summary>
    [Alias("SeedAsync")]
    Task<ApplyResult> SeedAsync(ContactCenterConfiguration configuration);

    [AlwaysInterleave, Alias("FindEntryPointAsync")]
    Task<EntryPoint?> FindEntryPointAsync(string dialledNumber);

    /// <summary>
    /// Each agent's site, for placing agent grains. It interleaves because placement asks for it while an apply is
    /// activating agents (the configuration is written before the push, so the answer already has them).
    /// </summary>
    [AlwaysInterleave, Alias("GetAgentSitesAsync")]
    Task<AgentSites> GetAgentSitesAsync();
}

/// <summary>One site (key: site id): agents by state and occupancy.</summary>
[Alias("ISiteGrain")]
public interface ISiteGrain : IGrainWithStringKey
{
    /// <summary>An agent's presence changed; <paramref name="presenceVersion"/> orders the notices (one-way, they may overtake each other).</summary>
    [OneWay, Alias("AgentPresenceChangedAsync")]
    Task AgentPresenceChangedAsync(string agentId, long presenceVersion, PresenceState state, double handlingSeconds, double availableSeconds);

    [Alias("GetStatusAsync")]
    Task<SiteStatus> GetStatusAsync();
}

/// <summary>The global routing view (key: "global"): every queue at every site, reported by the queues about every second.</summary>
[Alias("IRoutingViewGrain")]
public interface IRoutingViewGrain : IGrainWithStringKey
{
    [OneWay, Alias("ReportAsync")]
    Task ReportAsync(string queueId, IReadOnlyList<QueueSiteStatus> sites);

    [Alias("GetAsync")]
    Task<RoutingViewSnapshot> GetAsync();
}

/// <summary>A per-silo, stateless cache of the routing view, so reading it costs no cross-silo call most of the time.</summary>
[Alias("IRoutingViewCacheGrain")]
public interface IRoutingViewCacheGrain : IGrainWithIntegerKey
{
    [Alias("GetAsync")]
    Task<RoutingViewSnapshot> GetAsync();
}

/// <summary>The gateway's users (key: "users"): roles and secret hashes, stored with the rest of the contact center's state.</summary>
[Alias("IUserDirectoryGrain")]
public interface IUserDirectoryGrain : IGrainWithStringKey
{
    [Alias("FindAsync")]
    Task<UserRecord?> FindAsync(string userId);

    /// <summary>Adds or replaces a user (the record carries only the secret's hash).</summary>
    [Alias("UpsertAsync")]
    Task UpsertAsync(UserRecord user);

    /// <summary>Adds the users not yet stored; users already stored keep what they have.</summary>
    [Alias("SeedAsync")]
    Task<int> SeedAsync(IReadOnlyList<UserRecord> users);

    [Alias("RemoveAsync")]
    Task<bool> RemoveAsync(string userId);

    [Alias("ListAsync")]
    Task<IReadOnlyList<UserRecord>> ListAsync();
}
