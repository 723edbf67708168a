using CallCenter.Domain;
using CallCenter.Domain.History;
using CallCenter.Grains;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Hosting;
using CallCenter.Grains.Persistence;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using CallGrainType = CallCenter.Grains.Grains.CallGrain;

namespace CallCenter.Tests.Grains;

/// <summary>
/// A call's edge and the silo holding the call grain are lost together, while nothing else will ever call the call
/// (arrived, in the IVR, queued where no agent can take it, in conversation with an agent lost on the same silo).
/// The activation's lease timer died with the silo; the call's durable reminder brings it back on a surviving silo,
/// which ends it as "edge lost" with one record, frees the agent without charging it, and removes the reminder.
/// </summary>
public sealed class LostSiloAndEdgeTests : IAsyncLifetime
{
    private const string North = "north";
    private const string South = "south";
    private const string Support = "support";
    private const string NobodysQueue = "nobody";
    private const string AgentId = "north-agent";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly MemoryStateStore _state = new();
    private readonly FlakyCallHistory _history = new();
    private readonly ReminderTicks _ticks = new();
    private readonly SiloSiteLabels _siteLabels = new([South, North]);
    private InProcessTestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, _clock);
            silo.Services.AddSingleton<ICallHistory>(_history);
            silo.Services.Configure<CallLeaseOptions>(lease => lease.EdgeLeaseReminderSeconds = 1);
            silo.AddCallCenterGrains(_siteLabels.For(options.SiloName));
            silo.AddCallCenterMemoryStorage(_state);
            silo.AddIncomingGrainCallFilter(_ticks);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
        {
            Sites = [new SiteDefinition { Id = North, Name = "North" }, new SiteDefinition { Id = South, Name = "South" }],
            Skills = ["support", "nobody"],
            Queues =
            [
                new QueueDefinition { Id = Support, Name = "Support", WrapUpSeconds = 0, Stages = [new() { AfterSeconds = 0, Scope = StageScope.AnySite }] },
                new QueueDefinition { Id = NobodysQueue, Name = "Nobody", RequiredSkills = [new SkillRequirement("nobody", 1)] },
            ],
            Agents = [new AgentDefinition { Id = AgentId, Name = "North agent", SiteId = North }],
        });
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(error => error.Message)));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task SiloAndEdgeLostTogether_EveryCallEndsOnceAsEdgeLost_AgentFreedUncharged_RemindersRemoved()
    {
        var agent = Grains.GetGrain<IAgentGrain>(AgentId);
        var probe = new AgentProbe(AgentId);
        await agent.SubscribeAsync(Grains.CreateObjectReference<IAgentObserver>(probe));
        await agent.SetPhoneAsync("sip:agent@192.0.2.10:5060", _clock.GetUtcNow().AddHours(1));
        await agent.LoginAsync();

        // Four calls of the north edge, on the north silo, each in a state nothing else will call it from.
        var arrived = await ArriveAsync();
        var inIvr = await ArriveAsync();
        Assert.Equal(CommandStatus.Ok, (await inIvr.EnterIvrAsync()).Status);
        var talking = await ArriveAsync();
        Assert.Equal(EnqueueStatus.Queued, (await talking.EnqueueAsync(Support)).Status);
        var offer = await probe.NextOfferAsync("the north call offered to the north agent");
        Assert.Equal(CommandStatus.Ok, (await talking.AcceptAsync(AgentId, offer.Epoch)).Status);
        Assert.Equal(CommandStatus.Ok, (await talking.MediaConnectedAsync()).Status);
        var queued = await ArriveAsync();
        Assert.Equal(EnqueueStatus.Queued, (await queued.EnqueueAsync(NobodysQueue)).Status);
        ICallGrain[] calls = [arrived, inIvr, talking, queued];
        var northSilo = _cluster.Silos.Single(silo => _siteLabels.For(silo.Name) == North);
        var activations = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        foreach (var grain in calls.Cast<IAddressable>().Append(agent))
        {
            Assert.Equal(northSilo.SiloAddress, Assert.Single(activations, activation => activation.GrainId == grain.GetGrainId()).SiloAddress);
        }


        // The north edge and the north silo die together: nothing renews the leases, nothing calls the calls.
        var ticked = calls.Select(call => _ticks.NextAsync(call, "the call brought back on the south silo by its reminder")).ToList();
        await _cluster.KillSiloAsync(northSilo);
        await Task.WhenAll(ticked);
        _clock.Advance(CallGrainType.EdgeLease + TimeSpan.FromSeconds(1));

        foreach (var call in calls)
        {
            var callId = call.GetPrimaryKeyString();
            await Eventually.HoldsAsync(async () => (await _history.ForCallAsync(callId)).Count > 0, $"the record of call {callId}, ended by its reminder", seconds: 30);
        }

        var expected = new[] { CallOutcome.Failed, CallOutcome.Failed, CallOutcome.Answered, CallOutcome.Failed };
        for (var i = 0; i < calls.Length; i++)
        {
            var snapshot = await calls[i].GetAsync();
            Assert.Equal((CallState.Ended, expected[i], "edge lost"), (snapshot.State, snapshot.Outcome, snapshot.OutcomeDetail));
            var record = Assert.Single(await _history.ForCallAsync(snapshot.CallId));
            Assert.Equal((expected[i], "edge lost"), (record.Outcome, record.OutcomeDetail));
        }

        Assert.False(await Grains.GetGrain<IQueueRouting>(NobodysQueue).ContainsAsync(queued.GetPrimaryKeyString()));
        await Eventually.HoldsAsync(
            async () => await agent.GetStatusAsync() is { Offer: null, Calls.Count: 0, Counters.MissedOffers: 0 } status && status.Presence.State == PresenceState.Available,
            "the north agent Available again, holding nothing, not charged");
        await Eventually.HoldsAsync(() => Task.FromResult(_state.Reminders.Count == 0), "every ended call's reminder removed");
    }

    private async Task<ICallGrain> ArriveAsync()
    {
        var call = Grains.GetGrain<ICallGrain>(CallIds.New(North));
        await call.ArriveAsync(new CallArrival { SiteId = North, MediaManagedByEdge = true });
        return call;
    }
}
