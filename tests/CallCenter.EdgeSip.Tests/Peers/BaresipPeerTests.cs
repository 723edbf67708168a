using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>baresip as a real agent softphone, against SIPp: auto-answer, media both ways, DTMF, registration, dialling.</summary>
public sealed class BaresipPeerTests
{
    private const double CallerTone = 1000;
    private const double AgentTone = 600;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Baresip_SippCallsIt_AnswersAndRecordsTheCallerTone()
    {
        await using var phone = await BaresipProcess.StartAsync(new BaresipOptions { User = "agent1" });

        var caller = await SippProcess.RunAsync(new SippOptions
        {
            Scenario = SippScenarios.CallerHangsUp,
            Remote = phone.SipEndPoint,
            Service = "agent1",
            Calls = 1,
            Timeout = Timeout,
            Variables = new Dictionary<string, string> { ["hold_ms"] = "2000" },
        });
        await phone.WaitForCallsClosedAsync(1, TimeSpan.FromSeconds(10));

        Assert.True(caller.Succeeded, caller.Describe());
        var received = Wav.ReadFile(phone.ReceivedAudioPath ?? throw new InvalidOperationException($"no received audio dumped\n{phone.Output}"));
        var sent = Wav.ReadFile(phone.SentAudioPath!);
        Assert.True(ToneCheck.Duration(received, CallerTone) >= TimeSpan.FromSeconds(1), $"{ToneCheck.Duration(received, CallerTone)} of {CallerTone} Hz in {received.Duration}\n{phone.Output}");
        Assert.True(ToneCheck.Duration(sent, phone.Options.ToneFrequency) >= TimeSpan.FromSeconds(1), $"baresip sent {sent.Duration}");
    }

    [Fact]
    public async Task Baresip_SippCallerPressesKeys_ReceivesTheRfc2833Digits()
    {
        await using var phone = await BaresipProcess.StartAsync(new BaresipOptions { User = "agent1" });

        var caller = await SippProcess.RunAsync(new SippOptions
        {
            Scenario = SippScenarios.CallerDtmf,
            Remote = phone.SipEndPoint,
            Service = "agent1",
            Calls = 1,
            Timeout = Timeout,
            Variables = new Dictionary<string, string>
            {
                // No key twice in a row: baresip 1.0.0 reports a key again only after another one, even when the
                // repeat has its own SSRC, sequence numbers and timestamp (as caller-dtmf.xml sends it).
                ["digits"] = "147*#0",
                ["dtmf_delay_ms"] = "500",
                ["dtmf_gap_ms"] = "300",
                ["bye_after_ms"] = "500",
            },
        });
        await phone.WaitForCallsClosedAsync(1, TimeSpan.FromSeconds(10));

        Assert.True(caller.Succeeded, caller.Describe());
        Assert.Equal("147*#0", phone.ReceivedDtmf);
    }

    [Fact]
    public async Task Baresip_DialsSippAgentPhone_RecordsTheAgentTone()
    {
        await using var agentPhone = SippProcess.Start(new SippOptions
        {
            Scenario = SippScenarios.AgentPhone,
            Calls = 1,
            Timeout = Timeout,
            Variables = new Dictionary<string, string> { ["bye_after_ms"] = "2000" },
        });
        await agentPhone.WaitUntilListeningAsync();
        await using var phone = await BaresipProcess.StartAsync(new BaresipOptions { User = "caller", Dial = $"sip:agent1@127.0.0.1:{agentPhone.LocalPort}" });

        var agent = await agentPhone.WaitForExitAsync();
        await phone.WaitForCallsClosedAsync(1, TimeSpan.FromSeconds(10));

        Assert.True(agent.Succeeded, agent.Describe());
        var received = Wav.ReadFile(phone.ReceivedAudioPath!);
        Assert.True(ToneCheck.Duration(received, AgentTone) >= TimeSpan.FromSeconds(1), $"{ToneCheck.Duration(received, AgentTone)} of {AgentTone} Hz in {received.Duration}\n{phone.Output}");
    }

    [Theory]
    [InlineData(SipTransport.Udp)]
    [InlineData(SipTransport.Tcp)]
    public async Task Baresip_RegistersWithDigest_TheRegistrarAcceptsIt(SipTransport transport)
    {
        await using var registrar = SippProcess.Start(new SippOptions
        {
            Scenario = SippScenarios.ValidationEdgeRegistrar,
            Transport = transport,
            Calls = 1,
            Timeout = Timeout,

            // baresip 1.0.0 gives up ("Register: Function not implemented") when any challenge is SHA-256.
            Variables = new Dictionary<string, string> { ["password"] = "s3cret", ["md5_only"] = "1" },
        });
        await registrar.WaitUntilListeningAsync();

        await using var phone = await BaresipProcess.StartAsync(new BaresipOptions
        {
            User = "agent7",
            Password = "s3cret",
            Registrar = registrar.LocalEndPoint,
            Transport = transport,
        });
        await phone.WaitForRegistrationAsync(TimeSpan.FromSeconds(10));
        var result = await registrar.WaitForExitAsync();

        Assert.True(result.Succeeded, result.Describe());
    }
}
