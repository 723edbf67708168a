using System.Diagnostics;
using System.Globalization;
using System.Net;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Bench;

/// <summary>
/// The contact center the <c>sip</c> bench calls when no <c>--edge-port</c> is given: the embedded one-silo cluster
/// (<see cref="BenchSilo"/>) co-hosting the SIP edge on a free loopback port, one queue reached by dialling
/// <see cref="Number"/>, and agents <c>agent1..agentM</c> (SIP user = agent id, password <see cref="Password"/>), logged
/// in and available. Their phones (SIPp agent-phone) register through the edge's registrar; answering the edge's INVITE
/// is the agent's accept (the edge accepts the offer in the grains when the phone answers), so no desk is needed.
/// </summary>
internal sealed class SipBenchCenter : IAsyncDisposable
{
    public const string Site = "bench";
    public const string QueueId = "bench-sip";
    public const string Number = "5000";
    public const string Password = "secret";

    private readonly BenchSilo _silo;
    private HashSet<GrainId> _warmUpCalls = [];
    private QueueMetrics? _warmUpQueue;

    private SipBenchCenter(BenchSilo silo, FileLog log, IPEndPoint edge, int agents)
    {
        _silo = silo;
        Log = log;
        Edge = edge;
        Agents = agents;
    }

    public IPEndPoint Edge { get; }

    public int Agents { get; }

    public FileLog Log { get; }

    public static string AgentId(int i) => $"agent{i}";

    public static async Task<SipBenchCenter> StartAsync(int agents, int edgePort, int rtpPortFirst, int rtpPortLast, string logPath)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SiteId"] = Site,
            ["ListenAddress"] = "127.0.0.1",
            ["Port"] = Invariant(edgePort),
            ["Udp"] = "true",
            ["Tcp"] = "true",
            // SIPp 3.6.1 answers only the first challenge and computes only MD5.
            ["DigestAlgorithms:0"] = "MD5",
            ["RtpPortFirst"] = Invariant(rtpPortFirst),
            ["RtpPortLast"] = Invariant(rtpPortLast),
            ["RingSeconds"] = "0",
            ["Survey"] = "false",
            ["RecordingDirectory"] = "",
            // Every caller and phone of the bench comes from 127.0.0.1: the per-source limits would be the bottleneck.
            ["InvitesPerSecond"] = "1000000",
            ["InviteBurst"] = "1000000",
            ["RegistersPerSecond"] = "1000000",
            ["RegisterBurst"] = "1000000",
            ["Trunks:0"] = "127.0.0.1/32",
        };
        for (var i = 1; i <= agents; i++)
        {
            settings[$"Accounts:{i - 1}:Username"] = AgentId(i);
            settings[$"Accounts:{i - 1}:Password"] = Password;
            settings[$"Accounts:{i - 1}:AgentId"] = AgentId(i);
        }

        var log = new FileLog(logPath);
        var silo = await BenchSilo.StartAsync(settings, log);
        try
        {
            var applied = await silo.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration(agents));
            if (!applied.Applied)
            {
                throw new InvalidOperationException("bench configuration refused: " + string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            foreach (var chunk in Enumerable.Range(1, agents).Chunk(50))
            {
                var results = await Task.WhenAll(chunk.Select(i => silo.Grains.GetGrain<IAgentGrain>(AgentId(i)).LoginAsync()));
                if (results.FirstOrDefault(r => !r.Succeeded && r.Status != CommandStatus.AlreadyDone) is { } refused)
                {
                    throw new InvalidOperationException($"agent login refused: {refused.Status} {refused.Message}");
                }
            }
        }
        catch
        {
            await silo.DisposeAsync();
            log.Dispose();
            throw;
        }

        return new SipBenchCenter(silo, log, new IPEndPoint(IPAddress.Loopback, edgePort), agents);
    }

    /// <summary>Waits until every agent's grain knows its phone (the registrar tells the grains after the 200).</summary>
    public async Task<int> WaitForPhonesAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var withPhone = 0;
            foreach (var chunk in Enumerable.Range(1, Agents).Chunk(100))
            {
                var statuses = await Task.WhenAll(chunk.Select(i => _silo.Grains.GetGrain<IAgentGrain>(AgentId(i)).GetStatusAsync()));
                withPhone += statuses.Count(s => s.PhoneContact is not null && s.Presence.State == PresenceState.Available);
            }

            if (withPhone == Agents || clock.Elapsed > timeout)
            {
                return withPhone;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Marks the end of the warm-up: the call grains that exist now are the warm-up's and are left out of
    /// <see cref="CheckCallsAsync"/>; returns their own check.
    /// </summary>
    public async Task<GrainCheck> EndWarmUpAsync()
    {
        var check = await CheckCallsAsync();
        _warmUpCalls = [.. await CallIdsAsync()];
        _warmUpQueue = check.Queue;
        return check;
    }

    /// <summary>
    /// Every call grain the run created after the warm-up (the edge names them <c>sip-…</c>; they stay active for the
    /// run): how many, how many ended Answered, the others by state and outcome, the time each phase of the answered
    /// calls took (from their timelines), and the queue's figures since the warm-up.
    /// </summary>
    public async Task<GrainCheck> CheckCallsAsync()
    {
        var ids = (await CallIdsAsync()).Where(id => !_warmUpCalls.Contains(id)).ToList();
        var answered = 0;
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        var phases = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var rejectedOffers = 0;
        string? example = null;
        foreach (var chunk in ids.Chunk(500))
        {
            var snapshots = await Task.WhenAll(chunk.Select(id => _silo.Grains.GetGrain<ICallGrain>(id).GetAsync()));
            foreach (var call in snapshots)
            {
                rejectedOffers += call.Timeline.Count(e => e.Kind is CallEventKind.OfferRejected or CallEventKind.OfferExpired);
                if (call.State == CallState.Ended && call.Outcome == CallOutcome.Answered)
                {
                    answered++;
                    AddPhases(call, phases);
                    continue;
                }

                var key = $"{call.State}/{call.Outcome}";
                others[key] = others.GetValueOrDefault(key) + 1;
                example ??= $"{call.CallId} {call.State} {call.Outcome} {call.OutcomeDetail} agent={call.AgentId} sip.callId={call.AttachedData.GetValueOrDefault("sip.callId")} timeline={string.Join(" | ", call.Timeline.Select(e => $"{e.At:HH:mm:ss.fff} {e.Kind} {e.AgentId} {e.Detail}"))}";
            }
        }

        var totals = (await _silo.Grains.GetGrain<IQueueGrain>(QueueId).GetStatusAsync()).Totals;
        var queue = _warmUpQueue is not { } before
            ? totals
            : totals with { Offered = totals.Offered - before.Offered, Answered = totals.Answered - before.Answered, Abandoned = totals.Abandoned - before.Abandoned, Overflowed = totals.Overflowed - before.Overflowed };
        var percentiles = phases.ToDictionary(pair => pair.Key, pair => Percentiles.Of(pair.Value), StringComparer.Ordinal);
        return new GrainCheck(ids.Count, answered, others, example, queue, rejectedOffers, percentiles);
    }

    /// <summary>Samples the queue, this process's CPU and the machine's every second until the returned sampler stops.</summary>
    public Sampler StartSampling() => new(this);

    private async Task<List<GrainId>> CallIdsAsync() =>
        await _silo.Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("call"));

    /// <summary>Milliseconds between the timeline's steps: arrival → queued → offered → accepted (the phone answered) → connected → ended.</summary>
    private static void AddPhases(CallSnapshot call, Dictionary<string, List<double>> phases)
    {
        DateTimeOffset? At(CallEventKind kind, bool last = false)
        {
            var events = call.Timeline.Where(e => e.Kind == kind);
            var found = last ? events.LastOrDefault() : events.FirstOrDefault();
            return found?.At;
        }

        void Add(string name, DateTimeOffset? from, DateTimeOffset? to)
        {
            if (from is { } start && to is { } end)
            {
                (phases.TryGetValue(name, out var list) ? list : phases[name] = []).Add((end - start).TotalMilliseconds);
            }
        }

        var arrived = At(CallEventKind.Arrived);
        var queued = At(CallEventKind.Queued);
        var offered = At(CallEventKind.Offered, last: true);
        var accepted = At(CallEventKind.Accepted);
        var connected = At(CallEventKind.Connected);
        var ended = At(CallEventKind.Ended);
        Add("arrived_to_queued", arrived, queued);
        Add("queued_to_offered", queued, offered);
        Add("offered_to_accepted", offered, accepted);
        Add("accepted_to_connected", accepted, connected);
        Add("connected_to_ended", connected, ended);
        Add("arrived_to_ended", arrived, ended);
    }

    public async ValueTask DisposeAsync()
    {
        await _silo.DisposeAsync();
        Log.Dispose();
    }

    private static ContactCenterConfiguration Configuration(int agents) => new()
    {
        Tenants = [new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" }],
        Sites = [new SiteDefinition { Id = Site, Name = "Bench", TrunkCapacity = 100_000 }],
        Queues =
        [
            new QueueDefinition
            {
                Id = QueueId,
                Name = QueueId,
                WrapUpSeconds = 0,
                AcceptTimeoutSeconds = 30,
                MaxQueueLength = 1_000_000,
                Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
            },
        ],
        Agents = Enumerable.Range(1, agents).Select(i => new AgentDefinition { Id = AgentId(i), Name = AgentId(i), SiteId = Site }).ToList(),
        EntryPoints = [new EntryPoint { DialledNumber = Number, QueueId = QueueId }],
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the grains say about the run's calls.</summary>
    public sealed record GrainCheck(
        int Calls, int Answered, IReadOnlyDictionary<string, int> Others, string? Example, QueueMetrics Queue, int RejectedOffers,
        IReadOnlyDictionary<string, Percentiles> Phases)
    {
        public int NotAnswered => Calls - Answered;
    }

    public sealed record Percentiles(int Count, double P50, double P90, double P99, double Max)
    {
        public static Percentiles Of(List<double> values)
        {
            var sorted = values.Order().ToArray();
            return new Percentiles(sorted.Length, RoutingBench.Percentile(sorted, 0.50), RoutingBench.Percentile(sorted, 0.90), RoutingBench.Percentile(sorted, 0.99), sorted.Length == 0 ? double.NaN : sorted[^1]);
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F0} p90 {P90:F0} p99 {P99:F0} max {Max:F0}");
    }

    /// <summary>What the sampler saw while the callers ran.</summary>
    public sealed record Sampled(
        double Seconds, double ProcessCpuPercent, double MaxProcessCpuPercent, double MachineCpuPercent, int MaxWaiting, int MinIdleAgents,
        double GcPauseMs, double MaxGcPauseMsInASecond, int Gen0, int Gen1, int Gen2, string GcReasons, int MaxThreadPoolThreads, long MaxThreadPoolQueue);

    /// <summary>
    /// Every second: the queue's waiting calls and idle agents, this process's CPU (silo, grains and edge: % of one
    /// core) and the machine's (% of all cores, from /proc/stat: other work on the machine shows there), the GC's pauses
    /// and the thread pool's threads and queued work items. Logged.
    /// </summary>
    public sealed class Sampler
    {
        private readonly SipBenchCenter _center;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<Sampled> _loop;

        public Sampler(SipBenchCenter center)
        {
            _center = center;
            _loop = Task.Run(LoopAsync);
        }

        public async Task<Sampled> StopAsync()
        {
            await _stop.CancelAsync();
            return await _loop;
        }

        private async Task<Sampled> LoopAsync()
        {
            var process = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            var cpuStart = process.TotalProcessorTime;
            var machineStart = MachineTicks();
            var lastCpu = cpuStart;
            var lastMachine = machineStart;
            var lastAt = clock.Elapsed;
            var maxCpu = 0.0;
            var maxWaiting = 0;
            var minIdle = int.MaxValue;
            var pauseStart = GC.GetTotalPauseDuration();
            var lastPause = pauseStart;
            var maxPause = 0.0;
            int[] gcStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var maxThreads = 0;
            var maxQueue = 0L;
            using var reasons = new GcReasons();
            reasons.Start();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    var status = await _center._silo.Grains.GetGrain<IQueueGrain>(QueueId).GetStatusAsync();
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var machine = MachineTicks();
                    var at = clock.Elapsed;
                    var cpuPercent = (cpu - lastCpu).TotalSeconds / (at - lastAt).TotalSeconds * 100;
                    var machinePercent = MachinePercent(lastMachine, machine);
                    var pause = GC.GetTotalPauseDuration();
                    var pauseMs = (pause - lastPause).TotalMilliseconds;
                    lastPause = pause;
                    maxPause = Math.Max(maxPause, pauseMs);
                    maxThreads = Math.Max(maxThreads, ThreadPool.ThreadCount);
                    maxQueue = Math.Max(maxQueue, ThreadPool.PendingWorkItemCount);
                    maxCpu = Math.Max(maxCpu, cpuPercent);
                    maxWaiting = Math.Max(maxWaiting, status.Waiting.Count);
                    minIdle = Math.Min(minIdle, status.IdleAgents);
                    _center.Log.Note(string.Create(CultureInfo.InvariantCulture,
                        $"sample: waiting {status.Waiting.Count} idle_agents {status.IdleAgents} answered {status.Totals.Answered} process_cpu {cpuPercent:F0}% machine_cpu {machinePercent:F0}% gc_pause_ms {pauseMs:F0} gen2 {GC.CollectionCount(2) - gcStart[2]} threads {ThreadPool.ThreadCount} queued_work {ThreadPool.PendingWorkItemCount}"));
                    (lastCpu, lastMachine, lastAt) = (cpu, machine, at);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            process.Refresh();
            var seconds = clock.Elapsed.TotalSeconds;
            return new Sampled(
                seconds,
                (process.TotalProcessorTime - cpuStart).TotalSeconds / seconds * 100,
                maxCpu,
                MachinePercent(machineStart, MachineTicks()),
                maxWaiting,
                minIdle == int.MaxValue ? 0 : minIdle,
                (GC.GetTotalPauseDuration() - pauseStart).TotalMilliseconds,
                maxPause,
                GC.CollectionCount(0) - gcStart[0],
                GC.CollectionCount(1) - gcStart[1],
                GC.CollectionCount(2) - gcStart[2],
                reasons.Stop(),
                maxThreads,
                maxQueue);
        }

        /// <summary>(busy, total) jiffies of all cores from /proc/stat; zeros where it does not exist.</summary>
        private static (long Busy, long Total) MachineTicks()
        {
            try
            {
                var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
                var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
                var total = fields.Take(8).Sum();
                return (total - idle, total);
            }
            catch (IOException)
            {
                return (0, 0);
            }
        }

        private static double MachinePercent((long Busy, long Total) from, (long Busy, long Total) to) =>
            to.Total - from.Total <= 0 ? double.NaN : (double)(to.Busy - from.Busy) / (to.Total - from.Total) * 100;
    }
}
