using CallCenter.Domain;
using CallCenter.Grains;
using CallCenter.Grains.Hosting;
using CallCenter.Grains.Persistence;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace CallCenter.Tests.Grains;

/// <summary>
/// One cluster whose silos carry site labels (two in London, one in Manchester): agent and call grains live on silos of
/// their own site; a lost site's agents end NotReady("disconnected") and its waiting calls, like an overloaded site's,
/// are answered by the other site's agents once their bullseye stage opens.
/// </summary>
public sealed class MultiSiteTests : IAsyncLifetime
{
    private const string London = "london";
    private const string Manchester = "manchester";
    private const string QueueId = "support";

    private static readonly string[] SiloSites = [London, London, Manchester];

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly MemoryStateStore _state = new();
    private readonly SiloSiteLabels _siteLabels = new(SiloSites);
    private readonly Dictionary<string, AgentProbe> _probes = [];
    private readonly Dictionary<string, IAgentObserver> _observers = [];
    private InProcessTestCluster? _cluster;

    private InProcessTestCluster Cluster => _cluster!;

    private IGrainFactory Grains => Cluster.Client;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Starts the cluster (Manchester's silo with London's, or later by <see cref="StartManchesterSiloAsync"/>) and
    /// applies the configuration through the configuration grain, as an operator does: its push activates (places) agents.
    /// </summary>
    private async Task StartAsync(bool manchesterSilo = true)
    {
        var builder = new InProcessTestClusterBuilder((short)(manchesterSilo ? SiloSites.Length : SiloSites.Length - 1));
        builder.ConfigureSilo((options, silo) =>
        {
            var site = _siteLabels.For(options.SiloName);
            silo.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, _clock);
            silo.AddCallCenterGrains(site);
            silo.AddCallCenterMemoryStorage(_state);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
        {
            Sites = [new SiteDefinition { Id = London, Name = "London" }, new SiteDefinition { Id = Manchester, Name = "Manchester" }],
            Skills = ["support"],
            ReasonCodes = ["break"],
            Queues =
            [
                new QueueDefinition
                {
                    Id = QueueId,
                    Name = "Support",
                    WrapUpSeconds = 0,
                    Stages = [new() { AfterSeconds = 0, Scope = StageScope.OwnSite }, new() { AfterSeconds = 30, Scope = StageScope.AnySite }],
                },
            ],
            Agents = [.. AgentIds(London).Concat(AgentIds(Manchester)).Select(id => new AgentDefinition { Id = id, Name = id, SiteId = id.StartsWith(London, StringComparison.Ordinal) ? London : Manchester })],
        });
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(error => error.Message)));
    }

    private async Task StartManchesterSiloAsync()
    {
        await Cluster.StartAdditionalSiloAsync();
        await Cluster.WaitForLivenessToStabilizeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task AgentAndCallGrains_LiveOnSilosOfTheirOwnSite()
    {
        await StartAsync();
        var calls = new List<(string CallId, string Site)>();
        foreach (var site in new[] { London, Manchester })
        {
            for (var i = 0; i < 16; i++)
            {
                var callId = CallIds.New(site);
                await ArriveAsync(callId, site);
                calls.Add((callId, site));
            }
        }

        // Agents activated by the configuration push before every silo's site label was known run elsewhere until
        // their next turn (a login here) moves them home.
        foreach (var agentId in AgentIds(London).Concat(AgentIds(Manchester)))
        {
            var agent = Grains.GetGrain<IAgentGrain>(agentId);
            await agent.LoginAsync();
            var expected = (await agent.GetStatusAsync()).Definition!.SiteId;
            await Eventually.HoldsAsync(async () => await HostSiteAsync(agent) == expected, $"agent {agentId} on a silo of {expected}");
        }

        foreach (var (callId, site) in calls)
        {
            Assert.Equal(site, await HostSiteAsync(Grains.GetGrain<ICallGrain>(callId)));
        }

        // Both London silos take London's grains: placement spreads within a site rather than piling onto one silo.
        var londonSilos = new HashSet<SiloAddress?>();
        foreach (var agentId in AgentIds(London))
        {
            londonSilos.Add(await HostAsync(Grains.GetGrain<IAgentGrain>(agentId)));
        }

        foreach (var (callId, _) in calls.Where(call => call.Site == London))
        {
            londonSilos.Add(await HostAsync(Grains.GetGrain<ICallGrain>(callId)));
        }

        Assert.Equal(2, londonSilos.Count);
    }

    [Fact]
    public async Task AnAgentPlacedAwayFromHome_MovesHomeWhenItsSiteHasASilo_KeepingItsDesktopSubscribed()
    {
        // The cluster starts with London only, as when the first silos of a deployment come up: Manchester's agents
        // are activated (by the configuration push) on London's silos.
        await StartAsync(manchesterSilo: false);
        var agentId = AgentIds(Manchester)[0];
        var agent = Grains.GetGrain<IAgentGrain>(agentId);
        Assert.Equal(London, await HostSiteAsync(agent));
        await LoginAsync(agentId);

        // Manchester's silo joins; the agent's next turn (here its periodic work) moves it there, subscribers included.
        await StartManchesterSiloAsync();
        await Eventually.HoldsAsync(async () =>
        {
            await agent.ProcessDueWorkAsync();
            return await HostSiteAsync(agent) == Manchester;
        }, "the Manchester agent migrating to Manchester's silo", seconds: 60);
        Assert.Equal(PresenceState.Available, (await agent.GetStatusAsync()).Presence.State);

        var callId = CallIds.New(Manchester);
        await ArriveAsync(callId, Manchester);
        Assert.Equal(callId, (await _probes[agentId].NextOfferAsync("an offer reaching the subscriber after the move")).CallId);
        Assert.Equal(Manchester, await HostSiteAsync(Grains.GetGrain<ICallGrain>(callId)));
    }

    [Fact]
    public async Task ALostSite_ItsAgentsEndDisconnected_AndItsWaitingCallsAreAnsweredByTheOtherSite()
    {
        await StartAsync();
        // Manchester: one agent on a desktop, answering a call; a second caller waits for Manchester.
        var (deskAgent, phoneAgent) = (AgentIds(Manchester)[0], AgentIds(Manchester)[1]);
        var londonAgent = AgentIds(London)[0];
        await Grains.GetGrain<IAgentGrain>(deskAgent).DesktopConnectedAsync("desk-session");
        await LoginAsync(deskAgent);
        var answered = CallIds.New(Manchester);
        await ArriveAsync(answered, Manchester);
        var offer = await _probes[deskAgent].NextOfferAsync("the Manchester call offered to the Manchester desk agent");
        Assert.Equal(answered, offer.CallId);
        Assert.Equal(CommandStatus.Ok, (await Grains.GetGrain<ICallGrain>(answered).AcceptAsync(deskAgent, offer.Epoch)).Status);
        var stranded = CallIds.New(Manchester);
        await ArriveAsync(stranded, Manchester);

        // Manchester's only silo dies without a word: no desktop stream ends cleanly.
        var manchesterSilo = Cluster.Silos.Single(silo => _siteLabels.For(silo.Name) == Manchester);
        await Cluster.KillSiloAsync(manchesterSilo);

        // A London agent logs in; the waiting Manchester call is offered to them once the any-site stage opens.
        await Eventually.HoldsAsync(() => TryAsync(() => LoginAsync(londonAgent)), "the London agent logging in after the kill", seconds: 60);
        var deskStatus = await Grains.GetGrain<IAgentGrain>(deskAgent).GetStatusAsync();
        Assert.Equal(PresenceState.Busy, deskStatus.Presence.State);
        _clock.Advance(TimeSpan.FromSeconds(31));
        await Grains.GetGrain<IQueueGrain>(QueueId).ProcessDueWorkAsync();
        var rescued = await _probes[londonAgent].NextOfferAsync("the stranded Manchester call offered to London");
        Assert.Equal(stranded, rescued.CallId);
        Assert.Equal(CommandStatus.Ok, (await Grains.GetGrain<ICallGrain>(stranded).AcceptAsync(londonAgent, rescued.Epoch)).Status);

        // London's own callers still route to London's agents.
        var londonColleague = AgentIds(London)[1];
        await LoginAsync(londonColleague);
        var londonCall = CallIds.New(London);
        await ArriveAsync(londonCall, London);
        var londonOffer = await _probes[londonColleague].NextOfferAsync("a London call offered in London after Manchester was lost");
        Assert.Equal(londonCall, londonOffer.CallId);
        Assert.Equal(CommandStatus.Ok, (await Grains.GetGrain<ICallGrain>(londonCall).AcceptAsync(londonColleague, londonOffer.Epoch)).Status);

        // Manchester's grains came back on London's silos, from their stored state.
        Assert.Equal(London, await HostSiteAsync(Grains.GetGrain<IAgentGrain>(deskAgent)));
        Assert.Equal(London, await HostSiteAsync(Grains.GetGrain<ICallGrain>(stranded)));

        // A Manchester agent on a phone only, registered through Manchester's (now silent) edge.
        await Grains.GetGrain<IAgentGrain>(phoneAgent).SetPhoneAsync("sip:phone@192.0.2.10:5060", _clock.GetUtcNow().AddMinutes(5));
        await LoginAsync(phoneAgent);

        // Past the desktop lease and the phone's registration, both are defined. The phone agent is NotReady, disconnected.
        // The desk agent keeps the call in progress (its media is in the edge, not in a silo) and is NotReady, disconnected,
        // once the caller hangs up.
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Grains.GetGrain<IAgentGrain>(deskAgent).ProcessDueWorkAsync();
        await Grains.GetGrain<IAgentGrain>(phoneAgent).ProcessDueWorkAsync();
        var desk = await Grains.GetGrain<IAgentGrain>(deskAgent).GetStatusAsync();
        Assert.Equal(PresenceState.Busy, desk.Presence.State);
        Assert.Equal(answered, Assert.Single(desk.Calls).CallId);
        await Grains.GetGrain<ICallGrain>(answered).HangUpAsync(CallParty.Caller);
        await Eventually.HoldsAsync(async () =>
        {
            var presence = (await Grains.GetGrain<IAgentGrain>(deskAgent).GetStatusAsync()).Presence;
            return presence is { State: PresenceState.NotReady, ReasonCode: ReasonCodes.Disconnected };
        }, "the desk agent NotReady (disconnected) after the call");
        var phone = await Grains.GetGrain<IAgentGrain>(phoneAgent).GetStatusAsync();
        Assert.Equal((PresenceState.NotReady, ReasonCodes.Disconnected), (phone.Presence.State, phone.Presence.ReasonCode));
        Assert.Null(phone.PhoneContact);
    }

    [Fact]
    public async Task AnOverloadedSite_OverflowsToTheOtherSite_AsTheRoutingViewShows()
    {
        await StartAsync();
        // Manchester has one agent and three callers; London has two idle agents.
        var manchesterAgent = AgentIds(Manchester)[0];
        await LoginAsync(manchesterAgent);
        foreach (var agentId in AgentIds(London).Take(2))
        {
            await LoginAsync(agentId);
        }

        var callIds = Enumerable.Range(0, 3).Select(_ => CallIds.New(Manchester)).ToList();
        foreach (var callId in callIds)
        {
            await ArriveAsync(callId, Manchester);
        }

        var first = await _probes[manchesterAgent].NextOfferAsync("Manchester's agent offered Manchester's first call");
        await Grains.GetGrain<ICallGrain>(first.CallId).AcceptAsync(manchesterAgent, first.Epoch);

        // Within the own-site stage the other two wait for Manchester, and the routing view shows London's idle agents.
        await Grains.GetGrain<IQueueGrain>(QueueId).ProcessDueWorkAsync();
        await Eventually.HoldsAsync(async () =>
        {
            var view = await Grains.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).GetAsync();
            var sites = view.Queues.Where(status => status.QueueId == QueueId).ToDictionary(status => status.SiteId);
            return sites.TryGetValue(Manchester, out var manchester) && manchester.Waiting == 2
                && sites.TryGetValue(London, out var london) && london.IdleEligibleAgents == 2;
        }, "the routing view showing Manchester's two waiting calls and London's two idle agents");
        Assert.All(AgentIds(London).Take(2), agentId => Assert.False(_probes[agentId].TryTakeOffer(out _)));

        // Past the own-site stage, London's agents take Manchester's overflow: every caller is answered.
        _clock.Advance(TimeSpan.FromSeconds(31));
        await Grains.GetGrain<IQueueGrain>(QueueId).ProcessDueWorkAsync();
        var answeredByLondon = new List<string>();
        foreach (var agentId in AgentIds(London).Take(2))
        {
            var offer = await _probes[agentId].NextOfferAsync("London's agent offered Manchester's overflow");
            Assert.Equal(CommandStatus.Ok, (await Grains.GetGrain<ICallGrain>(offer.CallId).AcceptAsync(agentId, offer.Epoch)).Status);
            answeredByLondon.Add(offer.CallId);
        }

        Assert.Equal(callIds.Order(), answeredByLondon.Append(first.CallId).Order());
    }

    private static List<string> AgentIds(string site) => [.. Enumerable.Range(1, 4).Select(i => $"{site}-agent{i}")];

    private string? SiteOf(SiloAddress? silo) =>
        silo is null ? null : _siteLabels.For(Cluster.Silos.Single(handle => handle.SiloAddress.Equals(silo)).Name);

    /// <summary>
    /// The silo that hosts <paramref name="grain"/>'s activation, from the silos' own lists (a directory lookup can still
    /// name the silo a grain migrated from); null while none or, mid-migration, two have it.
    /// </summary>
    private async Task<SiloAddress?> HostAsync(IAddressable grain)
    {
        var activations = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var hosts = activations.Where(activation => activation.GrainId == grain.GetGrainId()).ToList();
        return hosts.Count == 1 ? hosts[0].SiloAddress : null;
    }

    private async Task<string?> HostSiteAsync(IAddressable grain) => SiteOf(await HostAsync(grain));

    private async Task ArriveAsync(string callId, string site)
    {
        var call = Grains.GetGrain<ICallGrain>(callId);
        await call.ArriveAsync(new CallArrival { SiteId = site });
        Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync(QueueId)).Status);
    }

    /// <summary>Subscribes a probe and logs the agent in, Available.</summary>
    private async Task LoginAsync(string agentId)
    {
        var agent = Grains.GetGrain<IAgentGrain>(agentId);
        if (!_probes.TryGetValue(agentId, out var probe))
        {
            probe = _probes[agentId] = new AgentProbe(agentId);
            _observers[agentId] = Grains.CreateObjectReference<IAgentObserver>(probe);
        }

        await agent.SubscribeAsync(_observers[agentId]);
        await agent.LoginAsync();
    }

    private static async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            return false;
        }
    }
}
