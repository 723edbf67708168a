using System.Net;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// One test's use of the edge: agent phones (SIPp) registered with digest, and callers (SIPp) with numbers unique to
/// the test. Disposing it logs the test's agents out, so a later test never rings a phone that has gone.
/// </summary>
internal sealed class EdgeSession(EdgeFixture fixture) : IAsyncDisposable
{
    private readonly List<string> _agents = [];

    private static int s_callers;

    public IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    public static string NewCallerNumber() => "0770090" + Interlocked.Increment(ref s_callers).ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + Environment.ProcessId % 1000;

    /// <summary>
    /// Starts a SIPp agent phone (server) for <paramref name="agentId"/>, registers it with the edge (digest) and makes
    /// the agent available. The phone answers <paramref name="calls"/> calls, then ends.
    /// </summary>
    public async Task<SippProcess> StartAgentPhoneAsync(string agentId, int calls = 1, int? byeAfterMs = null, SipTransport transport = SipTransport.Udp)
    {
        var variables = new Dictionary<string, string>();
        if (byeAfterMs is { } bye)
        {
            variables["bye_after_ms"] = bye.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var phone = SippProcess.Start(new SippOptions
        {
            Scenario = SippScenarios.AgentPhone,
            Transport = transport,
            Calls = calls,
            Variables = variables,
            Timeout = TimeSpan.FromSeconds(90),
            ReceiveTimeout = TimeSpan.FromSeconds(60),
        });
        await phone.WaitUntilListeningAsync();
        await RegisterAsync(agentId, phone.LocalPort, transport);
        _agents.Add(agentId);
        await fixture.MakeAvailableAsync(agentId);
        return phone;
    }

    public async Task RegisterAsync(string agentId, int phonePort, SipTransport transport = SipTransport.Udp)
    {
        var directory = Directory.CreateTempSubdirectory("edge-agents-").FullName;
        var register = await SippProcess.RunAsync(new SippOptions
        {
            Scenario = SippScenarios.AgentRegister,
            Remote = Edge,
            Transport = transport,
            Calls = 1,
            InjectionFile = SippProcess.WriteAgentsFile(directory, [(agentId, agentId + "-pw")]),
            Variables = new Dictionary<string, string> { ["phone_port"] = phonePort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Timeout = TimeSpan.FromSeconds(20),
        });
        Assert.True(register.Succeeded, register.Describe());
        var status = await fixture.Grains.GetGrain<IAgentGrain>(agentId).GetStatusAsync();
        Assert.Equal($"sip:{agentId}@127.0.0.1:{phonePort}", status.PhoneContact?.Split(';')[0]);
    }

    public Task<SippResult> CallAsync(string scenario, string dialled, string caller, IReadOnlyDictionary<string, string>? variables = null, SipTransport transport = SipTransport.Udp, bool ignorePauses = false)
    {
        var all = new Dictionary<string, string>(variables ?? new Dictionary<string, string>()) { ["caller"] = caller };
        return SippProcess.RunAsync(new SippOptions
        {
            Scenario = scenario,
            Remote = Edge,
            Transport = transport,
            Service = dialled,
            Calls = 1,
            Variables = all,
            Timeout = TimeSpan.FromSeconds(90),
            ReceiveTimeout = TimeSpan.FromSeconds(60),
            IgnoreMessagesDuringPauses = ignorePauses,
        });
    }

    public Task<CallSnapshot> EndedCallOfAsync(string caller) => fixture.EndedCallOfAsync(caller);

    public async ValueTask DisposeAsync()
    {
        foreach (var agentId in _agents)
        {
            var agent = fixture.Grains.GetGrain<IAgentGrain>(agentId);
            await agent.LogoutAsync();
            await agent.SetPhoneAsync(null, default);
        }
    }
}
