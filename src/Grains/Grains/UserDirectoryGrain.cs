using CallCenter.Model;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("callcenter.user-directory-state")]
public sealed class UserDirectoryState
{
    [Id(0)] public Dictionary<string, UserRecord> Users { get; set; } = [];
}

/// <summary>The gateway's users. Login reads one record; hashing and verifying secrets happen in the gateway, not here.</summary>
[GrainType("users")]
internal sealed class UserDirectoryGrain(
    [PersistentState("users", StorageNames.State)] IPersistentState<UserDirectoryState> state,
    ILogger<UserDirectoryGrain> logger) : Grain, IUserDirectoryGrain
{
    private readonly ObserverManager<IUserSessionsObserver> _observers = new(TimeSpan.FromMinutes(5), logger);

    public Task<UserRecord?> FindAsync(string userId) =>
        Task.FromResult(state.State.Users.TryGetValue(userId, out var user) ? user : null);

    public async Task UpsertAsync(UserRecord user)
    {
        var epoch = state.State.Users.TryGetValue(user.UserId, out var existing)
            ? existing.SessionEpoch + (ChangesWhoTheUserIs(existing, user) ? 1 : 0)
            : 0;
        state.State.Users[user.UserId] = user with { SessionEpoch = epoch };
        await state.WriteStateAsync();
        if (existing is not null && epoch != existing.SessionEpoch)
        {
            SessionsEnded(user.UserId, epoch);
        }
    }

    public async Task<bool> RevokeSessionsAsync(string userId) =>
        state.State.Users.TryGetValue(userId, out var user) && await RevokeAsync([user]) == 1;

    public Task<int> RevokeAgentSessionsAsync(string agentId) =>
        // An agent's or partner expert's user works as its AgentId, or as its own id when none is set (as at login).
        RevokeAsync([.. state.State.Users.Values.Where(user => user.Role is UserRole.Agent or UserRole.PartnerExpert && (user.AgentId ?? user.UserId) == agentId)]);

    /// <summary>Moves each user's session epoch on, stores it once, then tells the silos' open streams.</summary>
    private async Task<int> RevokeAsync(IReadOnlyList<UserRecord> users)
    {
        if (users.Count == 0)
        {
            return 0;
        }

        foreach (var user in users)
        {
            state.State.Users[user.UserId] = user with { SessionEpoch = user.SessionEpoch + 1 };
        }

        await state.WriteStateAsync();
        foreach (var user in users)
        {
            SessionsEnded(user.UserId, user.SessionEpoch + 1);
        }

        return users.Count;
    }

    private static bool ChangesWhoTheUserIs(UserRecord before, UserRecord after) =>
        before.SecretHash != after.SecretHash || before.Role != after.Role || before.TenantId != after.TenantId || before.AgentId != after.AgentId;

    public async Task<int> SeedAsync(IReadOnlyList<UserRecord> users)
    {
        var added = 0;
        foreach (var user in users)
        {
            added += state.State.Users.TryAdd(user.UserId, user with { SessionEpoch = 0 }) ? 1 : 0;
        }

        if (added > 0)
        {
            await state.WriteStateAsync();
        }

        return added;
    }

    public async Task<bool> RemoveAsync(string userId)
    {
        if (!state.State.Users.Remove(userId))
        {
            return false;
        }

        await state.WriteStateAsync();
        SessionsEnded(userId, long.MaxValue);
        return true;
    }

    public Task<IReadOnlyList<UserRecord>> ListAsync() =>
        Task.FromResult<IReadOnlyList<UserRecord>>(state.State.Users.Values.OrderBy(user => user.UserId, StringComparer.Ordinal).ToList());

    public Task SubscribeAsync(IUserSessionsObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IUserSessionsObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    // One-way: a silo that misses the notice still refuses the tokens per request, and its open streams catch up at
    // its next renewal (SessionRevocations).
    private void SessionsEnded(string userId, long sessionEpoch) => _observers.Notify(observer => observer.OnSessionsEnded(userId, sessionEpoch));
}
