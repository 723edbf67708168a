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
    public Task<SippProcess> StartAgentPhoneAsync(string agentId, int calls = 1, int? byeAfterMs = null, SipTransport transport = SipTransport.Udp)
    {
        var variables = new Dictionary<string, string>();
        if (byeAfterMs is { } bye)
        {
            variables["bye_after_ms"] = bye.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return StartAgentPhoneAsync(agentId, SippScenarios.AgentPhone, variables, calls, transport);
    }

    /// <summary>
    /// Starts a SIPp agent phone running <paramref name="scenario"/> (a server scenario answering the edge's INVITE),
    /// registers it for <paramref name="agentId"/> and makes the agent available.
    /// </summary>
    public async Task<SippProcess> StartAgentPhoneAsync(string agentId, string scenario, IReadOnlyDictionary<string, string> variables, int calls = 1, SipTransport transport = SipTransport.Udp, bool traceMessages = false)
    {
        var phone = SippProcess.Start(new SippOptions
        {
            TraceMessages = traceMessages,
            Scenario = scenario,
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

    /// <summary>
    /// Starts a SIPp phone outside the contact center (a partner expert's line): not registered; the edge dials it at
    /// the returned URI. It answers one call and hangs up <paramref name="byeAfterMs"/> after answering.
    /// </summary>
    public static async Task<(SippProcess Phone, string Uri)> StartExternalPhoneAsync(int byeAfterMs)
    {
        var phone = SippProcess.Start(new SippOptions
        {
            Scenario = SippScenarios.AgentPhone,
            Calls = 1,
            Variables = new Dictionary<string, string> { ["bye_after_ms"] = byeAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Timeout = TimeSpan.FromSeconds(90),
            ReceiveTimeout = TimeSpan.FromSeconds(60),
        });
        await phone.WaitUntilListeningAsync();
        return (phone, $"sip:expert@127.0.0.1:{phone.LocalPort}");
    }

    /// <summary>
    /// Starts baresip as the softphone of <paramref name="agentId"/>: it registers with the edge (digest; the fixture
    /// challenges with MD5 only, which baresip 1.0.0 needs), answers by itself and sends <paramref name="tone"/>. The
    /// agent is made available once the grains know the phone.
    /// </summary>
    public async Task<BaresipProcess> StartBaresipAgentPhoneAsync(string agentId, double tone, bool control = false)
    {
        var phone = await BaresipProcess.StartAsync(new BaresipOptions
        {
            User = agentId,
            Password = agentId + "-pw",
            Registrar = Edge,
            ToneFrequency = tone,
            Control = control,
        });
        try
        {
            await phone.WaitForRegistrationAsync(TimeSpan.FromSeconds(10));
            _agents.Add(agentId);

            // The registrar tells the agent grain about the binding on its own (one-way). baresip's Contact user is its
            // own (e.g. "ivy-0x55..."): the phone is known by its address.
            var agent = fixture.Grains.GetGrain<IAgentGrain>(agentId);
            var address = $"@127.0.0.1:{phone.SipPort}";
            await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).PhoneContact?.Split(';')[0].EndsWith(address, StringComparison.Ordinal) == true, $"{agentId}'s phone contact at {address}");
            await fixture.MakeAvailableAsync(agentId);
            return phone;
        }
        catch
        {
            await phone.DisposeAsync();
            throw;
        }
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

    /// <summary>The call <paramref name="agentId"/> talks on, once the agent holds it and the edge has bridged its media.</summary>
    public async Task<ICallGrain> ConnectedCallOfAsync(string agentId)
    {
        var agent = fixture.Grains.GetGrain<IAgentGrain>(agentId);
        await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).Calls.Count == 1, $"agent {agentId} talking");
        var call = fixture.Grains.GetGrain<ICallGrain>((await agent.GetStatusAsync()).Calls[0].CallId);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Connected, "the media connected");
        return call;
    }

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
