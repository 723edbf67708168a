using Channels = System.Threading.Channels;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

/// <summary>What the grains do for the SIP edge: phones, watching calls, callbacks, queue place, survey and recording.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EdgeSupportTests(ClusterFixture fixture)
{
    [Fact]
    public async Task EdgeCall_IsOfferedOnlyOnceTheAgentHasAPhone()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var call = await EdgeCallAsync(scenario, "q");

        Assert.False(agent.TryTakeOffer(out _));
        Assert.Equal(CallState.Queued, (await call.GetAsync()).State);

        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddMinutes(5));
        var offer = await agent.NextOfferAsync("offer once the phone is registered");
        Assert.Equal((await call.GetAsync()).CallId, offer.CallId);
        Assert.Equal("sip:a@127.0.0.1:5070", (await scenario.AgentStatusAsync(agent)).PhoneContact);
    }

    [Fact]
    public async Task ExpiredRegistration_FallsBackToTheConfiguredPhoneUri()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var withUri = await scenario.AgentAsync("u", shape: a => a with { PhoneUri = "sip:+441234@trunk.example" });
        var agent = scenario.Agent(withUri.AgentId);
        await agent.SetPhoneAsync("sip:u@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddSeconds(60));
        Assert.Equal("sip:u@127.0.0.1:5070", (await agent.GetStatusAsync()).PhoneContact);

        scenario.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("sip:+441234@trunk.example", (await agent.GetStatusAsync()).PhoneContact);

        await EdgeCallAsync(scenario, "q");
        await withUri.NextOfferAsync("an agent with a configured phone URI takes edge calls");
    }

    [Fact]
    public async Task Observer_SeesOfferAcceptAndEnd()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddMinutes(5));
        var watcher = new CallWatcher();
        var reference = scenario.Grains.CreateObjectReference<ICallObserver>(watcher);
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("watched"));
        await call.ObserveAsync(reference);
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));

        var offered = await watcher.NextAsync(CallState.Offered);
        Assert.Equal(agent.AgentId, offered.OfferedAgentId);
        await call.AcceptAsync(agent.AgentId, offered.OfferEpoch!.Value);
        Assert.Equal(CallState.Connecting, (await watcher.NextAsync(CallState.Connecting)).State);
        await call.MediaConnectedAsync();
        await watcher.NextAsync(CallState.Connected);
        await call.HangUpAsync(CallParty.Agent);
        var ended = await watcher.NextAsync(CallState.Ended);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        GC.KeepAlive(watcher);
    }

    [Fact]
    public async Task Notices_CarryARisingSequenceAndWhatChanged_NeverTheTimeline()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("noticed"));
        var watcher = new CallWatcher();
        await call.ObserveAsync(scenario.Grains.CreateObjectReference<ICallObserver>(watcher));

        await call.ArriveAsync(new CallArrival { SiteId = "north" });
        await call.EnqueueAsync(scenario.Id("q"));
        await call.HangUpAsync(CallParty.Caller);

        var final = await call.GetAsync();
        // One-way notices may overtake each other on the way: put them back in order by their sequence.
        var notices = (await watcher.NoticesCoveringAsync(final.Sequence)).OrderBy(n => n.Sequence).ToList();
        Assert.All(notices, notice => Assert.Empty(notice.Call.Timeline));
        Assert.All(notices, notice => Assert.NotEmpty(notice.Changes));
        Assert.Equal(notices.Count, notices.Select(n => n.Sequence).Distinct().Count());
        Assert.Equal([CallEventKind.Arrived, CallEventKind.Queued, CallEventKind.Ended], notices.SelectMany(n => n.Changes).Select(e => e.Kind));
        Assert.Equal(final.Sequence, notices[^1].Sequence);
        Assert.Equal(CallState.Ended, notices[^1].Call.State);
        Assert.Equal(final.Timeline.Count, final.Sequence);
    }

    [Fact]
    public async Task ACallWhoseEdgeFallsSilent_IsHungUpAsLostWithIt_AndItsAgentIsFreed()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        var edge = new CallWatcher();
        var reference = scenario.Grains.CreateObjectReference<ICallObserver>(edge);
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("silent-edge"));
        await call.ObserveAsync(reference);
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        Assert.Equal(CallState.Arrived, (await call.EdgeAliveAsync(reference)).State);
        await call.EnqueueAsync(scenario.Id("q"));
        var offer = await agent.NextOfferAsync("the edge call offered");
        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        await call.MediaConnectedAsync();

        // An edge that keeps renewing keeps its call, however long the conversation.
        scenario.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(CallState.Connected, (await call.EdgeAliveAsync(reference)).State);
        scenario.Advance(TimeSpan.FromSeconds(50));
        await call.ProcessDueWorkAsync();
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);

        // Silent past its lease (crashed, or its site lost): the call ends, answered, and the agent is free again.
        scenario.Advance(CallCenter.Grains.Grains.CallGrain.EdgeLease);
        await call.ProcessDueWorkAsync();
        var ended = await call.GetAsync();
        Assert.Equal((CallState.Ended, CallOutcome.Answered), (ended.State, ended.Outcome));
        Assert.Equal("edge lost", ended.OutcomeDetail);
        await Eventually.HoldsAsync(async () => (await scenario.AgentStatusAsync(agent)).Presence.State == PresenceState.Available, "the agent Available after the lost call");
        GC.KeepAlive(edge);
    }

    [Fact]
    public async Task CallerAskedCallback_KeepsThePlace_AndEndsTheCall()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q");
        var first = await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(1));
        var second = await scenario.CallAsync("q");
        Assert.Equal(2, (await second.GetQueuePlaceAsync())!.Position);

        Assert.Equal(CommandStatus.Ok, (await first.RequestCallbackAsync()).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await first.RequestCallbackAsync()).Status);

        var ended = await first.GetAsync();
        Assert.Equal(CallOutcome.CallbackScheduled, ended.Outcome);
        var waiting = (await scenario.Queue(queue.Id).GetStatusAsync()).Waiting;
        Assert.Equal([ended.CallId + ":cb", (await second.GetAsync()).CallId], waiting.Select(w => w.CallId));
        Assert.True(waiting[0].IsCallback);
        var callback = await scenario.Grains.GetGrain<ICallGrain>(ended.CallId + ":cb").GetAsync();
        Assert.Equal(CallState.Queued, callback.State);
        Assert.Equal(ended.CallId, callback.CallbackOfCallId);
        Assert.Equal(2, (await second.GetQueuePlaceAsync())!.Position);
    }

    [Fact]
    public async Task QueuePlace_IsNullOnceTheCallIsWithAnAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");
        var place = await call.GetQueuePlaceAsync();
        Assert.Equal(1, place!.Position);
        Assert.True(place.ExpectedWaitSeconds >= 0);

        var agent = await scenario.AgentAsync("a");
        var offer = await agent.NextOfferAsync("offer of the waiting call");
        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        Assert.Null(await call.GetQueuePlaceAsync());
        Assert.Equal(CommandStatus.InvalidState, (await call.RequestCallbackAsync()).Status);
    }

    [Fact]
    public async Task Survey_IsTakenOnceFromARatedAnsweredCall()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        await call.HangUpAsync(CallParty.Agent);

        Assert.Equal(CommandStatus.InvalidArgument, (await call.RecordSurveyAsync(0)).Status);
        Assert.Equal(CommandStatus.InvalidArgument, (await call.RecordSurveyAsync(6)).Status);
        Assert.Equal(CommandStatus.Ok, (await call.RecordSurveyAsync(4)).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.RecordSurveyAsync(4)).Status);
        Assert.Equal(CommandStatus.InvalidState, (await call.RecordSurveyAsync(1)).Status);
        Assert.Equal(4, (await call.GetAsync()).SurveyRating);

        var abandoned = await scenario.CallAsync("q");
        await scenario.Agent(agent.AgentId).SetNotReadyAsync("break");
        await abandoned.HangUpAsync(CallParty.Caller);
        Assert.Equal(CommandStatus.InvalidState, (await abandoned.RecordSurveyAsync(5)).Status);
        Assert.Null((await abandoned.GetAsync()).SurveyRating);
    }

    [Fact]
    public async Task Recording_PausesOnlyOnAConnectedCall()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var waiting = await scenario.CallAsync("q");
        Assert.Equal(CommandStatus.InvalidState, (await waiting.SetRecordingPausedAsync(true)).Status);

        var agent = await scenario.AgentAsync("a");
        var offer = await agent.NextOfferAsync("offer of the waiting call");
        await waiting.AcceptAsync(agent.AgentId, offer.Epoch);
        Assert.Equal(CommandStatus.Ok, (await waiting.SetRecordingPausedAsync(true)).Status);
        Assert.True((await waiting.GetAsync()).RecordingPaused);
        Assert.Equal(CommandStatus.Ok, (await waiting.SetRecordingPausedAsync(false)).Status);
        var timeline = (await waiting.GetAsync()).Timeline.Select(e => e.Kind).ToList();
        Assert.Contains(CallEventKind.RecordingPaused, timeline);
        Assert.Contains(CallEventKind.RecordingResumed, timeline);
    }

    private static async Task<ICallGrain> EdgeCallAsync(Scenario scenario, string queueName)
    {
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("edge-" + Guid.NewGuid().ToString("N")[..6]));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync(scenario.Id(queueName))).Status);
        return call;
    }

    private sealed class CallWatcher : ICallObserver
    {
        private readonly Channels.Channel<CallSnapshot> _changes = Channels.Channel.CreateUnbounded<CallSnapshot>();
        private readonly Channels.Channel<CallNotice> _notices = Channels.Channel.CreateUnbounded<CallNotice>();

        public void OnCallChanged(CallNotice notice)
        {
            _changes.Writer.TryWrite(notice.Call);
            _notices.Writer.TryWrite(notice);
        }

        /// <summary>Notices until they list <paramref name="sequence"/> timeline entries between them.</summary>
        public async Task<List<CallNotice>> NoticesCoveringAsync(long sequence)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var notices = new List<CallNotice>();
            while (notices.Sum(notice => notice.Changes.Count) < sequence)
            {
                notices.Add(await _notices.Reader.ReadAsync(timeout.Token));
            }

            return notices;
        }

        public async Task<CallSnapshot> NextAsync(CallState state)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (true)
            {
                var change = await _changes.Reader.ReadAsync(timeout.Token);
                if (change.State == state)
                {
                    return change;
                }
            }
        }
    }
}
