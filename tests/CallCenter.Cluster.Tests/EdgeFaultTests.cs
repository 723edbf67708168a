using System.Diagnostics;
using System.Net;
using CallCenter.Cluster.Tests.Infrastructure;
using CallCenter.Cluster.Tests.Load;
using CallCenter.Grains;
using CallCenter.Model;
using Xunit.Abstractions;
using SiloProcess = CallCenter.TestKit.SiloProcess;

namespace CallCenter.Cluster.Tests;

/// <summary>
/// Issue 13, failover of calls in conversation: under load (calls being set up, waiting and in conversation), the silo
/// holding the configuration grain is frozen (SIGSTOP) and thawed (SIGCONT), edges die right after taking calls, and
/// Redis is killed with SIGKILL and started again.
/// Judged: the other silos stay ready, no zombie call, no orphaned queue entry, no agent penalised, every call ends once.
/// </summary>
public sealed class EdgeFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task FrozenConfigurationSilo_EdgesLost_RedisKilled_HealthySilosStayReady_NoZombieCall_NoAgentPenalised()
    {
        await using var cluster = await RedisCluster.StartAsync(output);
        var load = await ContactCenterLoad.StartAsync(cluster, Busy, ContactCenterLoad.AllAgents);
        await load.WaitForAnswersAsync(10, "load before the freeze");

        // Freeze the silo of the one configuration grain: every other silo must stay ready.
        var frozen = await cluster.SiloHostingAsync(cluster.Client.GetGrain<IConfigurationGrain>(GrainKeys.Configuration)) ?? cluster.Silos[0];
        var healthy = cluster.Silos.Where(silo => silo != frozen && !silo.HasExited).ToList();
        Signal(frozen, "STOP");
        cluster.Log($"SIGSTOP sent to silo {frozen.Name} (pid {frozen.ProcessId}), host of the configuration grain");
        try
        {
            foreach (var silo in healthy)
            {
                var ready = await silo.Http.GetAsync("/health/ready");
                var body = await ready.Content.ReadAsStringAsync();
                cluster.Log($"/health/ready of {silo.Name} while {frozen.Name} is frozen: {(int)ready.StatusCode} {body}");
                Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{silo.Name} not ready while {frozen.Name} is frozen: {(int)ready.StatusCode} {body}");
            }

        }
        finally
        {
            Signal(frozen, "CONT");
            cluster.Log($"SIGCONT sent to silo {frozen.Name}");
        }

        await load.WaitForAnswersOfCallsPlacedSinceAsync(load.Ledger.Now, 5, "load after the thaw");

        // Edges that die right after taking calls: they arrive (some are queued) and are never renewed.
        var lostAt = load.Ledger.Now;
        var lost = new List<ICallGrain>();
        for (var i = 0; i < 6; i++)
        {
            var call = cluster.Client.GetGrain<ICallGrain>(CallIds.New(i % 2 == 0 ? "london" : "manchester"));
            await call.ArriveAsync(new CallArrival { SiteId = i % 2 == 0 ? "london" : "manchester", DialledNumber = ContactCenterLoad.DialledNumber, MediaManagedByEdge = true });
            if (i % 3 != 0)
            {
                Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync()).Status);
            }

            lost.Add(call);
        }

        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(lost.Select(call => call.GetAsync()))).All(call => call is { State: CallState.Ended, Outcome: CallOutcome.Failed, OutcomeDetail: "edge lost" }),
            "every call of a lost edge ended as lost with it (no zombie)");
        cluster.Log($"the {lost.Count} calls of lost edges ended {(load.Ledger.Now - lostAt).TotalSeconds:F1} s after they arrived (lease {RedisCluster.EdgeLeaseSeconds} s)");
        var waiting = (await cluster.Client.GetGrain<IQueueGrain>(ContactCenterLoad.QueueId).GetStatusAsync()).Waiting.Select(entry => entry.CallId).ToHashSet();
        var lostIds = (await Task.WhenAll(lost.Select(call => call.GetAsync()))).Select(call => call.CallId).ToList();
        Assert.DoesNotContain(lostIds, waiting.Contains);

        // Redis killed with SIGKILL (no SHUTDOWN, its append-only file as fsync left it) and started again, with calls
        // waiting and in conversation.
        var failedBefore = load.Ledger.FailedRequests;
        KillRedis(cluster.Redis.Port);
        cluster.Log("redis-server killed with SIGKILL");
        await Eventually.HoldsAsync(() => Task.FromResult(load.Ledger.FailedRequests > failedBefore), "a request fails while Redis is down");
        var restartedAt = load.Ledger.Now;
        await cluster.Redis.StartAgainAsync();
        cluster.Log($"redis-server started again on port {cluster.Redis.Port}");
        await load.WaitForAnswersOfCallsPlacedSinceAsync(restartedAt, 5, "load after the Redis restart");

        await load.DrainAndAssertInvariantsAsync();
        foreach (var agentId in ContactCenterLoad.AllAgents)
        {
            var status = await cluster.Client.GetGrain<IAgentGrain>(agentId).GetStatusAsync();
            Assert.True(status.Presence.ReasonCode != ReasonCodes.MissedOffer, $"agent {agentId} was made NotReady for a missed offer during the faults: {status.Presence}");
        }
    }

    /// <summary>SIGKILL of the redis-server listening on <paramref name="port"/>; returns once it is gone.</summary>
    internal static void KillRedis(int port)
    {
        // redis-server retitles itself "redis-server 127.0.0.1:<port>".
        var search = new ProcessStartInfo("pgrep") { UseShellExecute = false, RedirectStandardOutput = true, ArgumentList = { "-f", $"redis-server .*:{port}( |$)" } };
        using var find = Process.Start(search)!;
        var pids = find.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        find.WaitForExit();
        var pid = Assert.Single(pids);
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-KILL {pid}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
        using var wait = Process.Start(new ProcessStartInfo("tail", $"--pid={pid} -f /dev/null") { UseShellExecute = false })!;
        wait.WaitForExit();
    }

    /// <summary>SIGSTOP freezes the silo (a stalled VM, a long GC pause); SIGCONT thaws it.</summary>
    private static void Signal(SiloProcess silo, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {silo.ProcessId}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
