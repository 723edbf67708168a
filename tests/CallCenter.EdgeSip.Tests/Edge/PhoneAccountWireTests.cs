using System.Net;
using CallCenter.EdgeSip.Registrar;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// A phone account created at run time in the directory grain (as the admin API stores it: HA1 only) registers a SIPp
/// phone over real UDP with its password and not with another; removed, it registers no more. No edge restart.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class PhoneAccountWireTests(EdgeFixture fixture)
{
    private IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    private IPhoneAccountDirectoryGrain Directory => fixture.Grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);

    [Fact]
    public async Task AccountCreatedAtRunTime_RegistersOverUdp_WrongPasswordIsRefused_RemovedAccountRegistersNoMore()
    {
        var user = "rt-" + Guid.NewGuid().ToString("N")[..8];
        await Directory.PutAsync(PhoneDigest.Create(user, user, TenantDefinition.DefaultTenantId, EdgeFixture.Realm, "runtime-secret-1"));

        var wrong = await RegisterAsync(user, "runtime-secret-2");
        Assert.False(wrong.Succeeded, "a wrong password registered: " + wrong.Describe());
        Assert.Empty(fixture.Edge.Registrar.Lookup(user));

        var right = await RegisterAsync(user, "runtime-secret-1");
        Assert.True(right.Succeeded, right.Describe());
        Assert.Single(fixture.Edge.Registrar.Lookup(user));

        Assert.True(await Directory.RemoveAsync(user));
        // What the cache does within its refresh interval (PhoneAccountRegistrarTests prove the interval on fake time).
        await ((PhoneAccountCache)fixture.Edge.Registrar.Accounts).RefreshAsync();
        Assert.Empty(fixture.Edge.Registrar.Lookup(user));

        var afterRemoval = await RegisterAsync(user, "runtime-secret-1");
        Assert.False(afterRemoval.Succeeded, "a removed account registered: " + afterRemoval.Describe());
    }

    private async Task<SippResult> RegisterAsync(string user, string password)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("edge-phones-").FullName;
        return await SippProcess.RunAsync(new SippOptions
        {
            Scenario = SippScenarios.AgentRegister,
            Remote = Edge,
            Calls = 1,
            InjectionFile = SippProcess.WriteAgentsFile(directory, [(user, password)]),
            Variables = new Dictionary<string, string> { ["phone_port"] = "5999" },
            Timeout = TimeSpan.FromSeconds(20),
        });
    }
}
