using System.Collections.Concurrent;
using System.Diagnostics;
using CallCenter.Grains;
using CallCenter.Grains.Staffing;
using CallCenter.Model;
using CallCenter.Silo.Demo;

namespace CallCenter.Bench;

/// <summary>
/// <c>erlang --agents N --calls-per-interval X --interval S --aht S --threshold S --speedup K --calls C</c>: an M/M/c queue
/// through the real grains: Poisson arrivals, exponential handle times, callers who never give up, time compressed K times.
/// Prints the measured waiting probability, service level and ASA beside Erlang C's.
/// </summary>
internal static class ErlangBench
{
    public static async Task RunAsync(Arguments arguments)
    {
        var agents = arguments.Int("agents", 13);
        var callsPerInterval = arguments.Double("calls-per-interval", 100);
        var interval = arguments.Double("interval", 1800);
        var aht = arguments.Double("aht", 180);
        var threshold = arguments.Double("threshold", 20);
        var speedup = arguments.Double("speedup", 100);
        var calls = arguments.Int("calls", 3000);
        var seed = arguments.Int("seed", 7);
        var random = new Random(seed);
        var randomLock = new object();
        double Exponential(double mean)
        {
            lock (randomLock)
            {
                return -Math.Log(1 - random.NextDouble()) * mean;
            }
        }

        await using var silo = await BenchSilo.StartAsync();
        var queue = await silo.QueueAsync("bench-erlang");
        var enqueuedAt = new ConcurrentDictionary<string, long>();
        var waits = new ConcurrentDictionary<string, double>();
        var allBusyAtArrival = new ConcurrentDictionary<string, bool>();
        var busyAgents = 0;

        // Wait = enqueue to offer (the agent is reserved). P(wait) is Erlang C's own definition: every agent busy at arrival.
        // Orleans holds observers weakly: the desks must stay referenced for the whole run.
        var desks = await silo.AgentsAsync(agents, queue.Id, id => new SimulatedAgentDesk(silo.Grains, id, () => TimeSpan.Zero, () => TimeSpan.FromSeconds(Exponential(aht) / speedup))
        {
            OfferSeen = offer =>
            {
                Interlocked.Increment(ref busyAgents);
                if (enqueuedAt.TryGetValue(offer.CallId, out var at))
                {
                    waits[offer.CallId] = Stopwatch.GetElapsedTime(at).TotalSeconds * speedup;
                }
            },
            Finished = _ => Interlocked.Decrement(ref busyAgents),
        });

        var meanGap = interval / callsPerInterval / speedup;
        var arrivals = new List<Task>(calls);
        var next = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            next += (long)(Exponential(meanGap) * Stopwatch.Frequency);
            var delay = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            var callId = $"erlang-{i}";
            allBusyAtArrival[callId] = Volatile.Read(ref busyAgents) >= agents;
            arrivals.Add(ArriveAsync(silo.Grains, callId, queue.Id, enqueuedAt));
        }

        await Task.WhenAll(arrivals);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (waits.Count < calls && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // Steady state only: the first tenth starts with every agent idle.
        var steady = Enumerable.Range(calls / 10, calls - (calls / 10)).Select(i => $"erlang-{i}").ToList();
        var measured = steady.Select(id => waits.GetValueOrDefault(id, double.NaN)).Where(w => !double.IsNaN(w)).ToArray();
        var erlang = ErlangC.Evaluate(agents, callsPerInterval, interval, aht, threshold);
        Console.WriteLine($"calls_measured: {measured.Length}");
        Console.WriteLine($"measured_pwait: {steady.Count(id => allBusyAtArrival[id]) / (double)steady.Count:F4}");
        Console.WriteLine($"erlang_pwait: {erlang.ProbabilityOfWaiting:F4}");
        Console.WriteLine($"measured_sl: {measured.Count(w => w <= threshold) / (double)measured.Length:F4}");
        Console.WriteLine($"erlang_sl: {erlang.ServiceLevel:F4}");
        Console.WriteLine($"measured_asa_s: {measured.Average():F2}");
        Console.WriteLine($"erlang_asa_s: {erlang.AverageSpeedOfAnswerSeconds:F2}");
        GC.KeepAlive(desks);
    }

    private static async Task ArriveAsync(IGrainFactory grains, string callId, string queueId, ConcurrentDictionary<string, long> enqueuedAt)
    {
        var call = grains.GetGrain<ICallGrain>(callId);
        await call.ArriveAsync(new CallArrival { SiteId = "bench" });
        enqueuedAt[callId] = Stopwatch.GetTimestamp();
        await call.EnqueueAsync(queueId);
    }
}
