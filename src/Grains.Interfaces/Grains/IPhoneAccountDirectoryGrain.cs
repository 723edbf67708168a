using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>
/// Agent phones' SIP accounts (key: "phones"), as digest HA1 only. Kept apart from the user directory: every edge reads
/// the whole list (cached), and it should read no gateway secret hashes while doing so.
/// </summary>
[Alias("callcenter.phone-accounts")]
public interface IPhoneAccountDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces an account (by username).</summary>
    [Alias("callcenter.phone-accounts.put")]
    Task PutAsync(PhoneAccount account);

    /// <summary>Removes an account; false when there was none.</summary>
    [Alias("callcenter.phone-accounts.remove")]
    Task<bool> RemoveAsync(string username);

    /// <summary>Adds the accounts not yet stored; stored ones keep what they have (the demo's seeding at start-up).</summary>
    [Alias("callcenter.phone-accounts.seed")]
    Task<int> SeedAsync(IReadOnlyList<PhoneAccount> accounts);

    /// <summary>Every account, by username.</summary>
    [Alias("callcenter.phone-accounts.list")]
    Task<IReadOnlyList<PhoneAccount>> ListAsync();
}
