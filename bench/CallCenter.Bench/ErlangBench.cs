using System.Collections.Concurrent;
using System.Diagnostics;
using CallCenter.Domain.Staffing;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Simulation;

namespace CallCenter.Bench;

/// <summary>
/// <c>erlang --agents N --calls-per-interval X --interval S --aht S --threshold S --speedup K --calls C</c>: an M/M/c queue
/// through the real grains: Poisson arrivals, exponential handle times, callers who never give up, time compressed K times.
/// Prints the measured waiting probability, service level and ASA beside Erlang C's, beside an ideal M/M/c model fed the
/// very same draws (measured against model is what the grains add), and the spread a run this long has by chance.
/// </summary>
internal static class ErlangBench
{
    public static async Task RunAsync(Arguments arguments)
    {
        var agents = arguments.Int("agents");
        var callsPerInterval = arguments.Double("calls-per-interval");
        var interval = arguments.Double("interval");
        var aht = arguments.Double("aht");
        var threshold = arguments.Double("threshold");
        var speedup = arguments.Double("speedup");
        var calls = arguments.Int("calls");
        var seed = arguments.Int("seed");

        // Every draw is made up front, per call, so the ideal model below sees exactly what the grains see.
        var random = new Random(seed);
        var arrivalTimes = new double[calls];
        var handleTimes = new double[calls];
        var clock = 0.0;
        for (var i = 0; i < calls; i++)
        {
            clock += -Math.Log(1 - random.NextDouble()) * interval / callsPerInterval;
            arrivalTimes[i] = clock;
            handleTimes[i] = -Math.Log(1 - random.NextDouble()) * aht;
        }

        await using var silo = await BenchSilo.StartAsync();
        var queue = await silo.QueueAsync("bench-erlang");
        var enqueuedAt = new ConcurrentDictionary<string, long>();
        var waits = new ConcurrentDictionary<string, double>();
        var allBusyAtArrival = new ConcurrentDictionary<string, bool>();
        var busyAgents = 0;

        // Wait = enqueue to offer (the agent is reserved). P(wait) is Erlang C's own definition: every agent busy at arrival.
        // Orleans holds observers weakly: the desks must stay referenced for the whole run.
        var desks = await silo.AgentsAsync(agents, queue.Id, id => new SimulatedAgentDesk(silo.Grains, id, () => TimeSpan.Zero, offer => TimeSpan.FromSeconds(handleTimes[CallIndex(offer.CallId)] / speedup))
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

        var arrivals = new List<Task>(calls);
        var origin = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            var next = origin + (long)(arrivalTimes[i] / speedup * Stopwatch.Frequency);
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
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(60);
        while (waits.Count < calls && deadline.Elapsed < limit)
        {
            await Task.Delay(100);
        }

        // Steady state only: the first tenth starts with every agent idle.
        var steady = Enumerable.Range(calls / 10, calls - (calls / 10)).Select(i => $"erlang-{i}").ToList();
        var measured = steady.Select(id => waits.GetValueOrDefault(id, double.NaN)).Where(w => !double.IsNaN(w)).ToArray();
        var erlang = ErlangC.Evaluate(agents, callsPerInterval, interval, aht, threshold);
        var model = QueueModel.Waits(arrivalTimes, handleTimes, agents)[(calls / 10)..];
        Console.WriteLine($"calls_measured: {measured.Length}");
        Console.WriteLine($"measured_pwait: {steady.Count(id => allBusyAtArrival[id]) / (double)steady.Count:F4}");
        Console.WriteLine($"erlang_pwait: {erlang.ProbabilityOfWaiting:F4}");
        Console.WriteLine($"measured_sl: {measured.Count(w => w <= threshold) / (double)measured.Length:F4}");
        Console.WriteLine($"erlang_sl: {erlang.ServiceLevel:F4}");
        Console.WriteLine($"measured_asa_s: {measured.Average():F2}");
        Console.WriteLine($"erlang_asa_s: {erlang.AverageSpeedOfAnswerSeconds:F2}");
        Console.WriteLine($"model_pwait: {model.Count(w => w > 0) / (double)model.Length:F4}");
        Console.WriteLine($"model_sl: {model.Count(w => w <= threshold) / (double)model.Length:F4}");
        Console.WriteLine($"model_asa_s: {model.Average():F2}");

        // How far a run of this length strays from Erlang C by chance alone: the ideal model over other seeds.
        var replicas = Enumerable.Range(1, 40).Select(replica => Replicate(seed + (replica * 7919), calls, agents, interval / callsPerInterval, aht)[(calls / 10)..]).ToList();
        Console.WriteLine($"chance_sl_sd: {StandardDeviation(replicas.Select(w => w.Count(x => x <= threshold) / (double)w.Length)):F4}");
        Console.WriteLine($"chance_asa_sd_s: {StandardDeviation(replicas.Select(w => w.Average())):F2}");
        GC.KeepAlive(desks);
    }

    private static double[] Replicate(int seed, int calls, int agents, double meanGap, double aht)
    {
        var random = new Random(seed);
        var arrivals = new double[calls];
        var handles = new double[calls];
        var clock = 0.0;
        for (var i = 0; i < calls; i++)
        {
            clock += -Math.Log(1 - random.NextDouble()) * meanGap;
            arrivals[i] = clock;
            handles[i] = -Math.Log(1 - random.NextDouble()) * aht;
        }

        return QueueModel.Waits(arrivals, handles, agents);
    }

    private static double StandardDeviation(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }

    private static int CallIndex(string callId) => int.Parse(callId.AsSpan("erlang-".Length), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ArriveAsync(IGrainFactory grains, string callId, string queueId, ConcurrentDictionary<string, long> enqueuedAt)
    {
        var call = grains.GetGrain<ICallGrain>(callId);
        await call.ArriveAsync(new CallArrival { SiteId = "bench" });
        enqueuedAt[callId] = Stopwatch.GetTimestamp();
        await call.EnqueueAsync(queueId);
    }
}
