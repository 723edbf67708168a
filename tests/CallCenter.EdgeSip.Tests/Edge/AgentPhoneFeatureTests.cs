using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>What an agent does from the phone (SIPp agent phones): blind transfer by REFER, hold by re-INVITE; and recording pause.</summary>
[Collection(EdgeCollection.Name)]
public sealed class AgentPhoneFeatureTests(EdgeFixture fixture)
{
    [Fact]
    public async Task BlindTransferByRefer_ToAPartyOutside_TryingThenOutcomeNotifies_AndTheEdgeBridgesTheCallerThere()
    {
        await using var session = new EdgeSession(fixture);
        var (expert, _) = await EdgeSession.StartExternalPhoneAsync(byeAfterMs: 1000);
        await using var outside = expert;
        await using var phone = await session.StartAgentPhoneAsync("rex", SippScenarios.AgentPhoneRefer, new Dictionary<string, string>
        {
            ["refer_to"] = "expert",
            ["refer_host"] = "127.0.0.1:" + expert.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["refer_after_ms"] = "500",
        });
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        var referring = await phone.WaitForExitAsync();
        Assert.True(referring.Succeeded, "rex's phone: REFER, 202, NOTIFY 100 Trying (active), NOTIFY 200 OK (terminated), the edge's BYE: " + referring.Describe());
        var answering = await expert.WaitForExitAsync();
        Assert.True(answering.Succeeded, "the party outside answers the caller, then hangs up: " + answering.Describe());
        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.TransferredOut, ended.Outcome);
    }

    [Fact]
    public async Task BlindTransferByRefer_FromTheAgentPhone_MovesTheCallerToTheOtherAgent()
    {
        await using var session = new EdgeSession(fixture);
        await using var first = await session.StartAgentPhoneAsync("jon", SippScenarios.AgentPhoneRefer, new Dictionary<string, string>
        {
            ["refer_to"] = "kim",
            ["refer_after_ms"] = "1000",
        });
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);

        var jon = fixture.Grains.GetGrain<IAgentGrain>("jon");
        await Eventually.HoldsAsync(async () => (await jon.GetStatusAsync()).Calls.Count == 1, "jon talking");
        var grain = fixture.Grains.GetGrain<ICallGrain>((await jon.GetStatusAsync()).Calls[0].CallId);

        // kim is free only once jon has the call, so the queue cannot give it to kim first. A transfer to an agent
        // waits for that agent, so it does not matter whether kim is ready before or after jon's REFER.
        await using var second = await session.StartAgentPhoneAsync("kim", byeAfterMs: 1500);

        var transferring = await first.WaitForExitAsync();
        Assert.True(transferring.Succeeded, "jon's phone: REFER, 202, NOTIFY with 200 OK, then the edge's BYE: " + transferring.Describe());
        var answering = await second.WaitForExitAsync();
        Assert.True(answering.Succeeded, "kim's phone answers the same caller: " + answering.Describe());
        var call = await calling;
        Assert.True(call.Succeeded, call.Describe());

        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(grain.GetPrimaryKeyString(), ended.CallId);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(["jon", "kim"], ended.Timeline.Where(e => e.Kind == CallEventKind.Accepted).Select(e => e.AgentId));
        var transferred = Assert.Single(ended.Timeline, e => e.Kind == CallEventKind.Transferred);
        Assert.Equal("jon", transferred.AgentId);
        Assert.Equal("Agent:kim", transferred.Detail);
        var order = ended.Timeline.Select(e => e.Kind).ToList();
        Assert.True(
            order.IndexOf(CallEventKind.Transferred) > order.IndexOf(CallEventKind.Accepted) && order.IndexOf(CallEventKind.Transferred) < order.LastIndexOf(CallEventKind.Accepted),
            "jon accepted, then transferred, then kim accepted: " + string.Join(", ", order));
    }

    [Fact]
    public async Task HoldAndResumeByReInvite_FromTheAgentPhone_AreOnTheTimeline_AndTheEdgeRepeatsIts200UntilTheAck()
    {
        await using var session = new EdgeSession(fixture);

        // Each re-INVITE's ACK comes 1.2 s after the 200: over UDP the edge must send the 200 again meanwhile (T1 = 500 ms).
        await using var phone = await session.StartAgentPhoneAsync(
            "lee",
            SippScenarios.AgentPhoneHold,
            new Dictionary<string, string> { ["hold_after_ms"] = "1000", ["held_ms"] = "1500", ["bye_after_ms"] = "1000", ["ack_delay_ms"] = "1200" },
            traceMessages: true);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        Assert.True(call.Succeeded, call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "lee's phone: hold, resume, BYE: " + agent.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        var holds = ended.Timeline.Where(e => e.Kind is CallEventKind.Held or CallEventKind.Resumed).ToList();
        Assert.Equal([CallEventKind.Held, CallEventKind.Resumed], holds.Select(e => e.Kind));
        Assert.All(holds, e => Assert.Equal("lee", e.AgentId));

        // On the wire: each re-INVITE's 200 reached the phone more than once before its ACK.
        var received = agent.ReceivedMessages();
        foreach (var cseq in new[] { "CSeq: 2 INVITE", "CSeq: 3 INVITE" })
        {
            var answers = received.Count(message => message.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && message.Contains(cseq, StringComparison.Ordinal));
            Assert.True(answers >= 2, $"the 200 to the re-INVITE ({cseq}) was sent {answers} time(s) before its ACK");
        }
    }

    [Fact]
    public async Task RecordingPause_FromTheGrain_TheRecorderWritesSilenceWhilePaused_AndBothVoicesAroundIt()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("max");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);

        var grain = await session.ConnectedCallOfAsync("max");
        var path = Path.Combine(fixture.RecordingDirectory, grain.GetPrimaryKeyString() + ".wav");

        // The recorder's own file is the seam: it is read as it grows (the recorder writes through a 64 KB buffer,
        // about 2 s of stereo audio), and each step waits for what the recorder has written, not for time to pass.
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(path) && BothVoices(GrowingWav.ReadStereo(path)) >= OneSecond), "both voices recorded");

        Assert.Equal(CommandStatus.Ok, (await grain.SetRecordingPausedAsync(true)).Status);
        await Eventually.HoldsAsync(() => Task.FromResult(TrailingSilence(GrowingWav.ReadStereo(path)) >= OneSecond), "a second of silence written while paused");

        Assert.Equal(CommandStatus.Ok, (await grain.SetRecordingPausedAsync(false)).Status);
        await Eventually.HoldsAsync(() => Task.FromResult(BothVoicesAfterLongestSilence(GrowingWav.ReadStereo(path)) >= OneSecond), "both voices recorded again after the pause");

        Assert.Equal(CommandStatus.Ok, (await grain.HangUpAsync(CallParty.Agent)).Status);
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "the phone gets the edge's BYE: " + agent.Describe());
        var call = await calling;
        Assert.True(call.Succeeded, call.Describe());

        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(
            [CallEventKind.Connected, CallEventKind.RecordingPaused, CallEventKind.RecordingResumed],
            ended.Timeline.Select(e => e.Kind).Where(kind => kind is CallEventKind.Connected or CallEventKind.RecordingPaused or CallEventKind.RecordingResumed));

        // The finished file: the voices, one silent stretch of pure zeros in both channels (nothing said meanwhile
        // is kept), then the voices again.
        var (left, right) = StereoWav.Read(path);
        var (start, length) = LongestSilence(left.Samples, right.Samples);
        Assert.True(length >= OneSecond.TotalSeconds * left.SampleRate, $"the paused stretch is {length} samples");
        var before = (Left: Slice(left, 0, start), Right: Slice(right, 0, start));
        var after = (Left: Slice(left, start + length, left.Samples.Length), Right: Slice(right, start + length, right.Samples.Length));
        Assert.True(ToneCheck.Duration(before.Left, CallerTone) >= OneSecond && ToneCheck.Duration(before.Right, AgentTone) >= OneSecond, "both voices before the pause");
        Assert.True(ToneCheck.Duration(after.Left, CallerTone) >= OneSecond && ToneCheck.Duration(after.Right, AgentTone) >= OneSecond, "both voices after the pause");
    }

    private const double CallerTone = 1000;
    private const double AgentTone = 600;
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    /// <summary>How long both tones are in the recording (the shorter of the two).</summary>
    private static TimeSpan BothVoices((WavAudio Left, WavAudio Right) recording)
    {
        var caller = ToneCheck.Duration(recording.Left, CallerTone);
        var agent = ToneCheck.Duration(recording.Right, AgentTone);
        return caller < agent ? caller : agent;
    }

    /// <summary>How long the recording ends in samples that are zero in both channels (what the recorder writes while paused).</summary>
    private static TimeSpan TrailingSilence((WavAudio Left, WavAudio Right) recording)
    {
        var (left, right) = (recording.Left.Samples, recording.Right.Samples);
        var count = 0;
        while (count < left.Length && left[^(count + 1)] == 0 && right[^(count + 1)] == 0)
        {
            count++;
        }

        return TimeSpan.FromSeconds((double)count / recording.Left.SampleRate);
    }

    private static TimeSpan BothVoicesAfterLongestSilence((WavAudio Left, WavAudio Right) recording)
    {
        var (start, length) = LongestSilence(recording.Left.Samples, recording.Right.Samples);
        var end = recording.Left.Samples.Length;
        return BothVoices((Slice(recording.Left, start + length, end), Slice(recording.Right, start + length, end)));
    }

    /// <summary>The longest run of samples that are zero in both channels: its start and length.</summary>
    private static (int Start, int Length) LongestSilence(short[] left, short[] right)
    {
        var (bestStart, bestLength, runStart) = (0, 0, -1);
        for (var i = 0; i <= left.Length; i++)
        {
            if (i < left.Length && left[i] == 0 && right[i] == 0)
            {
                runStart = runStart < 0 ? i : runStart;
                continue;
            }

            if (runStart >= 0 && i - runStart > bestLength)
            {
                (bestStart, bestLength) = (runStart, i - runStart);
            }

            runStart = -1;
        }

        return (bestStart, bestLength);
    }

    private static WavAudio Slice(WavAudio audio, int start, int end) => audio with { Samples = audio.Samples[start..end] };
}
