using System.Globalization;
using System.Net;
using System.Text.Json;
using CallCenter.Cluster.Tests.Infrastructure;
using CallCenter.Cluster.Tests.Load;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;
using Xunit.Abstractions;
using SiloProcess = CallCenter.TestKit.SiloProcess;

namespace CallCenter.Cluster.Tests;

/// <summary>
/// Issue 13, failover of calls in conversation, with real processes end to end: Redis, three silos, one SIP edge process
/// per site (London, Manchester), SIPp agent phones registered with their site's edge (agents logged in and available),
/// SIPp callers into both edges (each hangs up <see cref="HoldMilliseconds"/> after being answered, so calls are being
/// set up, waiting and in conversation at every moment). Faults, one after the other: SIGKILL of the London edge and a
/// new edge started; SIGSTOP of the configuration grain's silo, then SIGCONT; SIGKILL of a silo; SIGKILL of Redis and a
/// restart. Judged from SIPp's messages and the product's own APIs: every INVITE of the callers whose edge lived got a
/// final response; every call the grains held ended, those of the killed edge within its lease, at the edge's death; no
/// queue entry left; no agent made NotReady for a missed offer; the healthy silos stayed ready; one history record per
/// call, no talk time longer than the caller's real life, no caller who hung up recorded "edge lost".
/// </summary>
public sealed class SipEdgeFaultTests(ITestOutputHelper output)
{
    private const int HoldMilliseconds = 3000;

    /// <summary>
    /// Longer than the cluster's usual 3 s, still a third of production's: while a silo is frozen, the edges' requests for
    /// the grains mapped to its gateway (renewals, hang-ups) wait until it is declared dead and the edges re-read the
    /// gateway list, or it thaws, some 10 s here; a lease shorter than that ends live calls as lost, and clamps how long
    /// ago a late hang-up may say it happened.
    /// </summary>
    private const int EdgeLeaseSeconds = 20;

    /// <summary>How late a call's end may be recorded after the edge's death: its last renewal came before.</summary>
    private static readonly TimeSpan EndSlack = TimeSpan.FromSeconds(1);

    private static readonly string[] LondonAgents = ["lon-1", "lon-2", "lon-3", "lon-4"];
    private static readonly string[] ManchesterAgents = ["man-1", "man-2", "man-3", "man-4"];

    [Fact]
    public async Task RealEdges_EdgeKilled_SiloFrozen_SiloKilled_RedisKilled_EveryCallEndsOnce_NoAgentPenalised_HistoryExact()
    {
        await using var cluster = await RedisCluster.StartAsync(output, EdgeLeaseSeconds);
        var accounts = ContactCenterLoad.AllAgents.Select(agent => (agent, $"{agent}-phone")).ToList();
        var londonPort = PortAllocator.Next();
        var manchesterPort = PortAllocator.Next();
        EdgeProcess? london = await EdgeProcess.StartAsync(cluster, "london", londonPort, accounts);
        await using var manchester = await EdgeProcess.StartAsync(cluster, "manchester", manchesterPort, accounts);
        EdgeProcess? newLondon = null;
        await using var londonPhones = await StartPhonesAsync();
        await using var manchesterPhones = await StartPhonesAsync();
        var sipps = new List<SippProcess>();
        var watch = new CallWatch(cluster.Client, ContactCenterLoad.AllAgents, ContactCenterLoad.QueueId);
        try
        {
            await RegisterAsync(london, LondonAgents, londonPhones);
            await RegisterAsync(manchester, ManchesterAgents, manchesterPhones);
            await LogInAsync(cluster);
            watch.Start();

            var londonCallers = StartCallers(london, "0207000");
            var manchesterCallers = StartCallers(manchester, "0161000");
            sipps.AddRange([londonCallers, manchesterCallers]);
            await ConnectedAsync(watch, 6, "calls connected through both edges before the faults");

            // 1. The London edge dies with calls waiting and in conversation; a new edge takes its port.
            IReadOnlyList<string> lostWaiting = [];
            IReadOnlyList<string> lostTalking = [];
            await Eventually.HoldsAsync(
                async () =>
                {
                    (lostWaiting, lostTalking) = await watch.SnapshotAsync("london");
                    return lostWaiting.Count > 0 && lostTalking.Count > 0;
                },
                "a London call waiting and one in conversation");
            await london.KillAsync();
            var killedAt = DateTimeOffset.UtcNow;
            cluster.Log($"london edge killed (SIGKILL) with {lostWaiting.Count} calls waiting and {lostTalking.Count} in conversation");
            // Its callers lost their edge: their side of the calls is not judged (no edge answers them any more).
            await londonCallers.DisposeAsync();
            sipps.Remove(londonCallers);
            await london.DisposeAsync();
            london = null;
            newLondon = await EdgeProcess.StartAsync(cluster, "london", londonPort, accounts);
            await RegisterAsync(newLondon, LondonAgents, londonPhones);
            sipps.Add(StartCallers(newLondon, "0207001"));
            await Eventually.HoldsAsync(
                async () => (await Task.WhenAll(lostWaiting.Concat(lostTalking).Select(callId => cluster.Client.GetGrain<ICallGrain>(callId).GetAsync()))).All(call => call.State == CallState.Ended),
                "every call of the killed edge ended within its lease (no zombie)",
                seconds: EdgeLeaseSeconds + 15);
            foreach (var callId in lostWaiting.Concat(lostTalking))
            {
                var call = await cluster.Client.GetGrain<ICallGrain>(callId).GetAsync();
                Assert.True(call.EndedAt <= killedAt + EndSlack, $"call {callId} of the killed edge ended at {call.EndedAt:HH:mm:ss.fff}, after the edge died at {killedAt:HH:mm:ss.fff}");
            }

            await ConnectedAsync(watch, watch.Connected + 4, "calls connected after the edge was replaced");

            // 2. The configuration grain's silo frozen: the others stay ready, and calls keep being answered.
            var frozen = await cluster.SiloHostingAsync(cluster.Client.GetGrain<IConfigurationGrain>(GrainKeys.Configuration)) ?? cluster.Silos[0];
            var healthy = cluster.Silos.Where(silo => silo != frozen).ToList();
            var connectedBefore = watch.Connected;
            Signal(frozen, "STOP");
            cluster.Log($"silo {frozen.Name} frozen (SIGSTOP)");
            try
            {
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        foreach (var silo in healthy)
                        {
                            var ready = await silo.Http.GetAsync("/health/ready");
                            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{silo.Name} not ready while {frozen.Name} is frozen: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
                        }

                        return watch.Connected >= connectedBefore + 4;
                    },
                    $"calls connected while {frozen.Name} is frozen, the other silos ready",
                    seconds: 90);
            }
            finally
            {
                Signal(frozen, "CONT");
                cluster.Log($"silo {frozen.Name} thawed (SIGCONT)");
            }

            // 3. A silo killed: one that holds the queue if it is not the thawed one (declared dead, it stops itself).
            var queueSilo = await cluster.SiloHostingAsync(cluster.Client.GetGrain<IQueueGrain>(ContactCenterLoad.QueueId));
            var victim = queueSilo is not null && queueSilo != frozen ? queueSilo : healthy[0];
            await victim.KillAsync();
            cluster.Log($"silo {victim.Name} killed (SIGKILL)");
            await ConnectedAsync(watch, watch.Connected + 4, $"calls connected after {victim.Name} died");

            // 4. Redis killed with SIGKILL and started again.
            EdgeFaultTests.KillRedis(cluster.Redis.Port);
            cluster.Log("redis-server killed (SIGKILL)");
            await cluster.Redis.StartAgainAsync();
            cluster.Log("redis-server started again");
            await ConnectedAsync(watch, watch.Connected + 4, "calls connected after the Redis restart");

            // The callers stop; every call they placed ends.
            var results = new List<(SippResult Result, SippInvites Invites)>();
            foreach (var callers in sipps)
            {
                callers.StopGracefully();
                var result = await callers.WaitForExitAsync();
                results.Add((result, SippInvites.Read(result.Directory)));
            }

            var survivors = cluster.Silos.Where(silo => silo != victim && silo != frozen).ToList();
            await AssertDrainedAsync(cluster, watch);
            await watch.StopAsync();

            // Judged from SIPp: every INVITE got a final response.
            foreach (var (result, invites) in results)
            {
                cluster.Log($"{result.Describe().Trim()}; INVITEs {invites.FinalByCallId.Count}, answered {invites.Answered}, by status: "
                    + string.Join(", ", invites.FinalByCallId.Values.GroupBy(status => status).Select(group => $"{group.Key?.ToString(CultureInfo.InvariantCulture) ?? "none"} × {group.Count()}")));
                Assert.True(!invites.WithoutFinalResponse.Any(), $"INVITEs without a final response: {string.Join(", ", invites.WithoutFinalResponse)}\n{result.Describe()}");
            }

            // Judged from the history: one record per call, every call seen has one, talk time within the caller's life.
            var records = await HistoryAsync(survivors[0]);
            var problems = new List<string>();
            foreach (var duplicate in records.GroupBy(record => record.CallId).Where(group => group.Count() > 1))
            {
                problems.Add($"call {duplicate.Key} has {duplicate.Count()} records");
            }

            var recorded = records.Select(record => record.CallId).ToHashSet();
            problems.AddRange(watch.Calls.Keys.Where(callId => !recorded.Contains(callId)).Select(callId => $"call {callId} (seen {watch.Calls[callId]}) has no history record"));
            foreach (var record in records)
            {
                if (record.TalkSeconds > (HoldMilliseconds / 1000.0) + EndSlack.TotalSeconds)
                {
                    problems.Add($"call {record.CallId}: {record.TalkSeconds:F1} s of talk, for a caller who hung up {HoldMilliseconds / 1000.0} s after being answered ({record.Outcome} {record.OutcomeDetail})");
                }

                var ofKilledEdge = CallIds.SiteOf(record.CallId) == "london" && record.ArrivedAt <= killedAt;
                if (record.OutcomeDetail == "edge lost" && !ofKilledEdge)
                {
                    problems.Add($"call {record.CallId} recorded {record.Outcome} / edge lost, but its edge lived ({record.SiteId}, arrived {record.ArrivedAt:HH:mm:ss.fff})");
                }
            }

            // Each call a living edge answered has its record (the killed edge's calls have theirs besides).
            var answeredByLivingEdges = results.Sum(result => result.Invites.Answered);
            if (records.Count < answeredByLivingEdges)
            {
                problems.Add($"{answeredByLivingEdges} calls answered by the living edges, only {records.Count} history records");
            }

            Assert.True(problems.Count == 0, "history not exact:\n" + string.Join("\n", problems) + "\n" + EdgeWarnings(manchester, newLondon));
            Assert.True(watch.Penalties.Count == 0, "agents made NotReady for a missed offer during the faults:\n" + string.Join("\n", watch.Penalties.Distinct()));
            cluster.Log($"{records.Count} history records, {watch.Calls.Count} calls seen in queues or with agents, {watch.Connected} connected");
        }
        finally
        {
            await watch.StopAsync();
            foreach (var sipp in sipps)
            {
                await sipp.DisposeAsync();
            }

            if (newLondon is not null)
            {
                await newLondon.DisposeAsync();
            }

            if (london is not null)
            {
                await london.DisposeAsync();
            }
        }
    }

    private static async Task<SippProcess> StartPhonesAsync()
    {
        var phones = SippProcess.Start(new SippOptions
        {
            Scenario = SippScenarios.AgentPhone,
            Timeout = TimeSpan.FromMinutes(6),
            // A phone waits for the edge's BYE; a call whose edge died is given up after this.
            ReceiveTimeout = TimeSpan.FromSeconds(30),
        });
        await phones.WaitUntilListeningAsync();
        return phones;
    }

    private SippProcess StartCallers(EdgeProcess edge, string caller) => SippProcess.Start(new SippOptions
    {
        Scenario = SippScenarios.CallerHangsUp,
        Remote = new IPEndPoint(IPAddress.Loopback, edge.SipPort),
        Service = ContactCenterLoad.DialledNumber,
        Rate = 2,
        Limit = 12,
        Timeout = TimeSpan.FromMinutes(5),
        ReceiveTimeout = TimeSpan.FromSeconds(30),
        TraceMessages = true,
        Variables = new Dictionary<string, string> { ["caller"] = caller, ["hold_ms"] = HoldMilliseconds.ToString(CultureInfo.InvariantCulture) },
    });

    /// <summary>Registers the agents' phones (all answered by <paramref name="phones"/>) with the edge.</summary>
    private static async Task RegisterAsync(EdgeProcess edge, IReadOnlyList<string> agents, SippProcess phones)
    {
        var file = SippProcess.WriteAgentsFile(Path.GetTempPath(), agents.Select(agent => (agent, $"{agent}-phone")));
        try
        {
            var result = await SippProcess.RunAsync(new SippOptions
            {
                Scenario = SippScenarios.AgentRegister,
                Remote = new IPEndPoint(IPAddress.Loopback, edge.SipPort),
                InjectionFile = file,
                Calls = agents.Count,
                Timeout = TimeSpan.FromSeconds(30),
                Variables = new Dictionary<string, string> { ["phone_port"] = phones.LocalPort.ToString(CultureInfo.InvariantCulture) },
            });
            Assert.True(result.Succeeded, $"registering {string.Join(", ", agents)} with the {edge.SiteId} edge:\n{result.Describe()}\n{edge.Output}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task LogInAsync(RedisCluster cluster)
    {
        foreach (var agentId in ContactCenterLoad.AllAgents)
        {
            var agent = cluster.Client.GetGrain<IAgentGrain>(agentId);
            var login = await agent.LoginAsync();
            Assert.True(login.Succeeded, $"{agentId} logs in: {login.Status} {login.Message}");
            var available = await agent.SetAvailableAsync();
            Assert.True(available.Succeeded, $"{agentId} available: {available.Status} {available.Message}");
        }

        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(ContactCenterLoad.AllAgents.Select(agentId => cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync())))
                .All(agent => agent.PhoneContact is not null && agent.Presence.State == PresenceState.Available),
            "every agent available with a registered phone");
    }

    private static Task ConnectedAsync(CallWatch watch, int count, string phase) =>
        Eventually.HoldsAsync(() => Task.FromResult(watch.Connected >= count), $"{phase}: {count} calls with an agent (so far {watch.Connected})", seconds: 90);

    /// <summary>Every call seen ended; every agent Available with no offer and no call; the queue empty.</summary>
    private static async Task AssertDrainedAsync(RedisCluster cluster, CallWatch watch)
    {
        var pending = new List<string>();
        await Eventually.HoldsAsync(
            async () =>
            {
                pending.Clear();
                foreach (var callId in watch.Calls.Keys)
                {
                    var call = await cluster.Client.GetGrain<ICallGrain>(callId).GetAsync();
                    if (call.State != CallState.Ended)
                    {
                        pending.Add($"{callId}: {call.State} agent {call.AgentId} queue {call.QueueId}");
                    }
                }

                return pending.Count == 0;
            },
            "every call seen in a queue or with an agent ended (no zombie)",
            seconds: 60,
            () => string.Join("\n", pending));

        var agents = new List<AgentStatus>();
        await Eventually.HoldsAsync(
            async () =>
            {
                agents = [.. await Task.WhenAll(ContactCenterLoad.AllAgents.Select(agentId => cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync()))];
                return agents.All(agent => agent.Presence.State == PresenceState.Available && agent.Offer is null && agent.Calls.Count == 0);
            },
            "every agent Available again with no offer and no call",
            seconds: 60,
            () => string.Join("\n", agents.Select(agent => $"{agent.AgentId}: {agent.Presence.State} ({agent.Presence.ReasonCode}) offer {agent.Offer?.CallId} calls [{string.Join(", ", agent.Calls.Select(call => call.CallId))}]")));

        QueueStatus? queue = null;
        await Eventually.HoldsAsync(
            async () => (queue = await cluster.Client.GetGrain<IQueueGrain>(ContactCenterLoad.QueueId).GetStatusAsync()).Waiting.Count == 0,
            "no queue entry left",
            seconds: 30,
            () => string.Join(", ", queue?.Waiting.Select(entry => entry.CallId) ?? []));
    }

    private static async Task<IReadOnlyList<HistoryRecord>> HistoryAsync(SiloProcess silo)
    {
        using var document = JsonDocument.Parse(await silo.Http.GetStringAsync("/api/history/calls"));
        return [.. document.RootElement.EnumerateArray().Select(record => new HistoryRecord(
            record.GetProperty("callId").GetString()!,
            record.GetProperty("siteId").GetString(),
            record.GetProperty("outcome").GetString()!,
            record.TryGetProperty("outcomeDetail", out var detail) ? detail.GetString() : null,
            record.GetProperty("arrivedAt").GetDateTimeOffset(),
            record.GetProperty("talkSeconds").GetDouble()))];
    }

    /// <summary>What the living edges logged about retries, renewals and failures, for a failure message.</summary>
    private static string EdgeWarnings(params EdgeProcess?[] edges) => string.Join("\n", edges.OfType<EdgeProcess>().SelectMany(edge => edge.Output
        .Split('\n')
        .Where(line => line.Contains("renew", StringComparison.Ordinal) || line.Contains("giving up", StringComparison.Ordinal) || line.Contains("failed", StringComparison.Ordinal))
        .TakeLast(40)
        .Select(line => $"{edge.SiteId} edge: {line}")));

    private static void Signal(SiloProcess silo, string signal)
    {
        using var kill = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("kill", $"-{signal} {silo.ProcessId}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private sealed record HistoryRecord(string CallId, string? SiteId, string Outcome, string? OutcomeDetail, DateTimeOffset ArrivedAt, double TalkSeconds);
}
