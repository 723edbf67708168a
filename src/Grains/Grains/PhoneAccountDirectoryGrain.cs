using CallCenter.Model;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("callcenter.phone-account-directory-state")]
public sealed class PhoneAccountDirectoryState
{
    [Id(0)] public Dictionary<string, PhoneAccount> Accounts { get; set; } = [];
}

/// <summary>Agent phones' SIP accounts as HA1; hashing happens in the caller (<see cref="PhoneDigest"/>), never a password here.</summary>
[GrainType("phones")]
internal sealed class PhoneAccountDirectoryGrain(
    [PersistentState("phones", StorageNames.State)] IPersistentState<PhoneAccountDirectoryState> state) : Grain, IPhoneAccountDirectoryGrain
{
    public async Task PutAsync(PhoneAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (PhoneDigest.UsernameProblem(account.Username) is { } problem)
        {
            throw new ArgumentException(problem, nameof(account));
        }

        if (!PhoneDigest.IsHa1(account.Ha1Md5, PhoneDigest.Ha1Md5Length) || !PhoneDigest.IsHa1(account.Ha1Sha256, PhoneDigest.Ha1Sha256Length))
        {
            throw new ArgumentException("an account needs hex HA1 values for MD5 and SHA-256", nameof(account));
        }

        state.State.Accounts[account.Username] = account with
        {
            Ha1Md5 = account.Ha1Md5.ToLowerInvariant(),
            Ha1Sha256 = account.Ha1Sha256.ToLowerInvariant(),
        };
        await state.WriteStateAsync();
    }

    public async Task<bool> RemoveAsync(string username)
    {
        if (!state.State.Accounts.Remove(username))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    public async Task<int> SeedAsync(IReadOnlyList<PhoneAccount> accounts)
    {
        var added = accounts.Count(account => state.State.Accounts.TryAdd(account.Username, account));
        if (added > 0)
        {
            await state.WriteStateAsync();
        }

        return added;
    }

    public Task<IReadOnlyList<PhoneAccount>> ListAsync() =>
        Task.FromResult<IReadOnlyList<PhoneAccount>>(state.State.Accounts.Values.OrderBy(account => account.Username, StringComparer.Ordinal).ToList());
}
