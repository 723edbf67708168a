using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// Real softphones on both sides of the edge: baresip registered as an agent's phone and a baresip caller, each sending
/// its own tone and dumping what it hears, so the audio through the bridge is checked in both directions.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class BaresipEdgeCallTests(EdgeFixture fixture)
{
    private const double CallerTone = 1000;
    private const double AgentTone = 600;

    /// <summary>How much of the other side's tone each phone must hear before the caller hangs up.</summary>
    private static readonly TimeSpan Heard = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task BaresipAgentPhone_AnswersABaresipCaller_AndTheToneOfEachSideReachesTheOther()
    {
        await using var session = new EdgeSession(fixture);
        await using var agentPhone = await session.StartBaresipAgentPhoneAsync("ivy", AgentTone);
        var callerNumber = EdgeSession.NewCallerNumber();

        // 7001 has no IVR: the caller waits with music until ivy's phone answers by itself.
        await using var caller = await BaresipProcess.StartAsync(new BaresipOptions
        {
            User = callerNumber,
            ToneFrequency = CallerTone,
            Dial = $"sip:7001@127.0.0.1:{fixture.Edge.Port}",
        });
        await agentPhone.WaitForCallsEstablishedAsync(1, TimeSpan.FromSeconds(30));
        var call = await session.ConnectedCallOfAsync("ivy");

        // Both phones dump what they hear as it plays: talk until each has heard enough of the other's tone.
        await Eventually.HoldsAsync(
            () => Task.FromResult(HeardSoFar(agentPhone, CallerTone) >= Heard && HeardSoFar(caller, AgentTone) >= Heard),
            "each phone hearing the other's tone",
            seconds: 20);
        await caller.QuitAsync();
        await agentPhone.WaitForCallsClosedAsync(1, TimeSpan.FromSeconds(10));

        var ended = await session.EndedCallOfAsync(callerNumber);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("hung up by caller", ended.OutcomeDetail);
        Assert.Equal("ivy", ended.Timeline.Single(e => e.Kind == CallEventKind.Accepted).AgentId);
        Assert.True(ended.Arrival!.MediaManagedByEdge);

        // The complete dumps: each side heard the other's tone and not its own (no echo through the bridge).
        var atAgent = Wav.ReadFile(agentPhone.ReceivedAudioPath!);
        var atCaller = Wav.ReadFile(caller.ReceivedAudioPath!);
        Assert.True(ToneCheck.Duration(atAgent, CallerTone) >= Heard, $"{ToneCheck.Duration(atAgent, CallerTone)} of the caller's tone at the agent's phone in {atAgent.Duration}\n{agentPhone.Output}");
        Assert.True(ToneCheck.Duration(atCaller, AgentTone) >= Heard, $"{ToneCheck.Duration(atCaller, AgentTone)} of the agent's tone at the caller in {atCaller.Duration}\n{caller.Output}");
        Assert.True(ToneCheck.Duration(atAgent, AgentTone) < TimeSpan.FromSeconds(0.2), "the agent's own tone is not sent back to its phone");
        Assert.True(ToneCheck.Duration(atCaller, CallerTone) < TimeSpan.FromSeconds(0.2), "the caller's own tone is not sent back to the caller");
    }

    private static TimeSpan HeardSoFar(BaresipProcess phone, double tone) => ToneCheck.Duration(GrowingWav.ReadMono(phone.ReceivedAudioPath), tone);
}
