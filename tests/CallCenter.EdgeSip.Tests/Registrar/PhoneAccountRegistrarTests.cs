using CallCenter.EdgeSip.Registrar;
using CallCenter.Model;
using CallCenter.Sip;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.EdgeSip.Tests.Registrar;

/// <summary>
/// The registrar over the phone-account directory (<see cref="PhoneAccountCache"/>), on fake time with an in-memory
/// directory: accounts created, changed and removed at run time, HA1 only, and the cache's bounded reads.
/// </summary>
public sealed class PhoneAccountRegistrarTests
{
    private readonly FakeDirectory _directory = new();
    private readonly RegistrarTestKit _kit;
    private readonly PhoneAccountCache _cache;

    public PhoneAccountRegistrarTests()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(RegistrarTestKit.Start);
        _cache = new PhoneAccountCache(_directory.ListAsync, _directory.SeedAsync, [], RegistrarTestKit.Realm, time, NullLogger.Instance);
        _kit = new RegistrarTestKit(accounts: _cache, time: time);
    }

    private const string CarolContact = "Contact: <sip:carol@198.51.100.7:40123>";

    private static PhoneAccount Account(string username, string password, string agentId = "agent-carol", string realm = RegistrarTestKit.Realm) =>
        PhoneDigest.Create(username, agentId, TenantDefinition.DefaultTenantId, realm, password) with { AgentId = agentId };

    [Fact]
    public async Task AccountCreatedAtRunTime_RegistersWithItsPassword_NotWithAnother()
    {
        Assert.Equal(401, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);

        _directory.Put(Account("carol", "carol-secret"));
        _kit.Time.Advance(PhoneAccountCache.MissRefreshInterval);

        Assert.NotEqual(200, (await _kit.Phone("carol", "not-carols").RegisterAsync(CarolContact)).StatusCode);
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret", callId: "carol-2").RegisterAsync(CarolContact)).StatusCode);
        Assert.Single(_kit.Registrar.Lookup("carol"));
        Assert.Equal("agent-carol", _kit.Registrar.FindByAgent("agent-carol")?.AgentId);
    }

    [Fact]
    public async Task FirstReadFails_TheNextRegisterReadsAgainAtOnce_InsteadOfRefusingThePhone()
    {
        // The edge has just started and the cluster did not answer its first read: no list is cached as empty.
        _directory.Put(Account("carol", "carol-secret"));
        _directory.Failing = true;
        await _cache.RefreshAsync();
        Assert.False(_cache.HasLoaded);

        _directory.Failing = false;
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);
        Assert.True(_cache.HasLoaded);
    }

    [Fact]
    public async Task Md5OnlyPhone_RegistersFromTheStoredMd5Ha1()
    {
        _directory.Put(Account("carol", "carol-secret"));
        var phone = new Phone(_kit, "carol", "carol-secret", "carol", "call-md5@198.51.100.7") { Md5Only = true };

        Assert.Equal(200, (await phone.RegisterAsync(CarolContact)).StatusCode);
    }

    [Fact]
    public async Task RemovedAccount_LosesItsBindings_AndRegistersNoMore()
    {
        _directory.Put(Account("carol", "carol-secret"));
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);

        _directory.Remove("carol");
        _kit.Time.Advance(PhoneAccountCache.RefreshInterval);
        _kit.Registrar.ExpireDue();
        await _cache.RefreshAsync();

        Assert.Empty(_kit.Registrar.Lookup("carol"));
        Assert.Contains(_kit.Events, change => change.Agent == "agent-carol" && change.Binding is null);
        Assert.NotEqual(200, (await _kit.Phone("carol", "carol-secret", callId: "carol-2").RegisterAsync(CarolContact)).StatusCode);
    }

    [Fact]
    public async Task ChangedPassword_DropsTheBindings_AndOnlyTheNewOneRegisters()
    {
        _directory.Put(Account("carol", "carol-secret"));
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);

        _directory.Put(Account("carol", "carol-new-secret"));
        _kit.Time.Advance(PhoneAccountCache.RefreshInterval);

        Assert.NotEqual(200, (await _kit.Phone("carol", "carol-secret", callId: "carol-2").RegisterAsync(CarolContact)).StatusCode);
        Assert.Empty(_kit.Registrar.Lookup("carol"));
        Assert.Equal(200, (await _kit.Phone("carol", "carol-new-secret", callId: "carol-3").RegisterAsync(CarolContact)).StatusCode);
    }

    [Fact]
    public async Task AccountOfAnotherRealm_DoesNotRegister()
    {
        _directory.Put(Account("carol", "carol-secret", realm: "elsewhere.example"));

        Assert.NotEqual(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);
    }

    [Fact]
    public async Task FloodOfUnknownUsers_ReadsTheDirectoryAtMostOncePerMissInterval()
    {
        _directory.Put(Account("carol", "carol-secret"));
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);
        var readsBefore = _directory.Reads;

        for (var i = 0; i < 50; i++)
        {
            await _kit.Phone("nobody-" + i, "whatever-secret").RegisterAsync();
        }

        Assert.Equal(readsBefore, _directory.Reads);
        _kit.Time.Advance(PhoneAccountCache.MissRefreshInterval);
        for (var i = 0; i < 50; i++)
        {
            await _kit.Phone("nobody-" + i, "whatever-secret").RegisterAsync();
        }

        Assert.Equal(readsBefore + 1, _directory.Reads);
    }

    [Fact]
    public async Task UnreadableDirectory_KeepsTheLastAccounts()
    {
        _directory.Put(Account("carol", "carol-secret"));
        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret").RegisterAsync(CarolContact)).StatusCode);

        _directory.Failing = true;
        _kit.Time.Advance(PhoneAccountCache.RefreshInterval);

        Assert.Equal(200, (await _kit.Phone("carol", "carol-secret", callId: "carol-2").RegisterAsync(CarolContact)).StatusCode);
        Assert.Single(_kit.Registrar.Lookup("carol"));
    }

    [Fact]
    public async Task ConfiguredAccounts_AreSeededIntoTheDirectory_AsHa1()
    {
        var configured = Account("dave", "dave-secret", agentId: "agent-dave");
        var cache = new PhoneAccountCache(_directory.ListAsync, _directory.SeedAsync, [configured], RegistrarTestKit.Realm, _kit.Time, NullLogger.Instance);

        await cache.RefreshAsync();

        Assert.Equal("agent-dave", (await cache.FindAsync("dave", CancellationToken.None))?.AgentId);
        Assert.Equal(configured, Assert.Single(_directory.Accounts.Values));
    }

    private sealed class FakeDirectory
    {
        private readonly Lock _lock = new();

        public Dictionary<string, PhoneAccount> Accounts { get; } = new(StringComparer.Ordinal);

        public int Reads { get; private set; }

        public bool Failing { get; set; }

        public void Put(PhoneAccount account)
        {
            lock (_lock)
            {
                Accounts[account.Username] = account;
            }
        }

        public void Remove(string username)
        {
            lock (_lock)
            {
                Accounts.Remove(username);
            }
        }

        public Task<IReadOnlyList<PhoneAccount>> ListAsync(CancellationToken ct)
        {
            lock (_lock)
            {
                Reads++;
                return Failing
                    ? Task.FromException<IReadOnlyList<PhoneAccount>>(new InvalidOperationException("directory unavailable"))
                    : Task.FromResult<IReadOnlyList<PhoneAccount>>(Accounts.Values.ToList());
            }
        }

        public Task SeedAsync(IReadOnlyList<PhoneAccount> accounts)
        {
            lock (_lock)
            {
                foreach (var account in accounts)
                {
                    Accounts.TryAdd(account.Username, account);
                }
            }

            return Task.CompletedTask;
        }
    }
}
