using System.Collections.Concurrent;
using System.Diagnostics;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Simulation;

namespace CallCenter.Bench;

/// <summary>
/// <c>routing [--seconds N] [--agents N] [--concurrency N]</c>: the full grain path in process (arrive → queue → offer →
/// accept → end → wrap-up) with desks that accept and hang up at once. Prints calls per second and enqueue-to-offer latency.
/// </summary>
internal static class RoutingBench
{
    public static async Task RunAsync(Arguments arguments)
    {
        var seconds = arguments.Double("seconds");
        var agents = arguments.Int("agents");
        var concurrency = arguments.Int("concurrency");
        await using var silo = await BenchSilo.StartAsync();
        var queue = await silo.QueueAsync("bench-routing");

        var started = new ConcurrentDictionary<string, long>();
        var offerLatencies = new ConcurrentBag<double>();
        var finished = new ConcurrentDictionary<string, TaskCompletionSource>();
        // Orleans holds observers weakly: the desks must stay referenced for the whole run.
        var desks = await silo.AgentsAsync(agents, queue.Id, id => new SimulatedAgentDesk(silo.Grains, id, () => TimeSpan.Zero, _ => TimeSpan.Zero)
        {
            OfferSeen = offer =>
            {
                if (started.TryGetValue(offer.CallId, out var at))
                {
                    offerLatencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                }
            },
            Finished = callId => finished.GetValueOrDefault(callId)?.TrySetResult(),
            AcceptRefused = (callId, result) => Console.Error.WriteLine($"accept of {callId} refused: {result.Status} {result.Message}"),
        });

        // Warm up the grain types and the JIT, then measure.
        await DriveAsync(silo.Grains, queue.Id, TimeSpan.FromSeconds(5), concurrency, started, finished, "warm");
        offerLatencies.Clear();
        var clock = Stopwatch.StartNew();
        var completed = await DriveAsync(silo.Grains, queue.Id, TimeSpan.FromSeconds(seconds), concurrency, started, finished, "run");
        var elapsed = clock.Elapsed.TotalSeconds;

        var sorted = offerLatencies.Order().ToArray();
        Console.WriteLine($"calls: {completed}");
        Console.WriteLine($"calls_per_s: {completed / elapsed:F0}");
        Console.WriteLine($"offer_p50_ms: {Percentile(sorted, 0.50):F2}");
        Console.WriteLine($"offer_p99_ms: {Percentile(sorted, 0.99):F2}");
        Console.WriteLine($"agents: {agents}");
        Console.WriteLine($"concurrent_callers: {concurrency}");
        GC.KeepAlive(desks);
    }

    /// <summary>Keeps <paramref name="concurrency"/> callers in flight; each waits for its call to be answered and hung up.</summary>
    private static async Task<int> DriveAsync(
        IGrainFactory grains, string queueId, TimeSpan duration, int concurrency,
        ConcurrentDictionary<string, long> started, ConcurrentDictionary<string, TaskCompletionSource> finished, string tag)
    {
        var completed = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var sequence = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var callId = $"{tag}-{Interlocked.Increment(ref sequence)}";
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                finished[callId] = done;
                var call = grains.GetGrain<ICallGrain>(callId);
                await call.ArriveAsync(new CallArrival { SiteId = "bench" });
                started[callId] = Stopwatch.GetTimestamp();
                await call.EnqueueAsync(queueId);
                try
                {
                    await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    var snapshot = await call.GetAsync();
                    throw new TimeoutException($"call {callId} did not finish in 30 s: {snapshot.State} {snapshot.Outcome} agent={snapshot.AgentId} timeline={string.Join(" | ", snapshot.Timeline.Select(e => $"{e.Kind} {e.AgentId} {e.Detail}"))}");
                }
                finished.TryRemove(callId, out TaskCompletionSource? _);
                started.TryRemove(callId, out long _);
                Interlocked.Increment(ref completed);
            }
        }));
        return completed;
    }

    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
