using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CallCenter.Gateway.V1;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Gateway;
using CallCenter.Web.Security;
using CallCenter.Persistence;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using AgentState = CallCenter.Gateway.V1.AgentState;

namespace CallCenter.Bench;

/// <summary>
/// <c>agents [--agents N] [--seconds S] [--talk-ms T] [--rate R] [--queues Q] [--wrapup-s W] [--sessions-per-channel K]
/// [--warmup-s U] [--login-concurrency C] [--timeline 1]</c>: N agent desktops over gRPC on loopback against the agent gateway hosted in
/// this process (Kestrel + a one-silo cluster with memory storage). Each desktop logs in as its own user, opens its event
/// stream, goes Available, and for every offer: Accept, talk T ms, HangUp, WrapUp with a disposition (after the
/// WrapUp state when the queue has wrap-up time). A driver creates calls (arrive + enqueue, not edge-managed) at R per
/// second, at most N in flight, for U seconds of warm-up (not measured) and then S measured seconds, then lets the
/// calls in flight finish (up to 10 s; offers received while draining count). <c>--timeline 1</c> prints, per second of
/// the window, the offers' latencies next to the GC pauses and the thread-pool queue (on stderr).
///
/// Offer delivery latency: the time this process's desktop reads the Offer off its gRPC stream (DateTimeOffset.UtcNow)
/// minus the time the queue reserved the agent. The queue stamps the lease it offers with
/// <c>ExpiresAt = now + AcceptTimeoutSeconds</c> just before asking the agent to reserve, and the Offer carries that
/// expiry, so reserved-at = <c>offer.expires_at − AcceptTimeoutSeconds</c>, read from the same system clock (one
/// process, one machine). It covers: the agent grain's reservation, the observer notification to the gateway's event
/// pump, the pump's screen-pop (watch the call, read it and the customer), the HTTP/2 write, and the client's read.
/// It does not cover the caller's wait in the queue before an agent was free.
///
/// Users' secrets are hashed with <see cref="SecretHasher.MinimumIterations"/> (10,000) PBKDF2 iterations, not the
/// default, so that N logins on a small machine measure the gateway rather than PBKDF2; the output says so. All bench
/// users share one secret and its one hash (each login still verifies it in full).
/// Everything — silo, Kestrel and all N clients — runs in this one process, so working_set_mb and cpu_pct cover all of it.
/// </summary>
internal static class AgentsBench
{
    private const double AcceptTimeoutSeconds = 30;
    private const string Disposition = "resolved";

    public static async Task<int> RunAsync(Arguments arguments)
    {
        var agents = arguments.Int("agents");
        var seconds = arguments.Double("seconds");
        var talkMs = arguments.Int("talk-ms");
        var queues = Math.Max(1, arguments.Int("queues"));
        var wrapUpSeconds = arguments.Double("wrapup-s");
        var perChannel = Math.Max(1, arguments.Int("sessions-per-channel"));
        var warmupSeconds = arguments.Double("warmup-s");
        var loginConcurrency = Math.Max(1, arguments.Int("login-concurrency"));
        // Default min(N/2, 100) calls per second: at 1,000 agents and 500 calls/s this shared 2-core machine saturated
        // (477 calls/s created, offer p99 1.6 s), so N/2 is bounded to a rate the machine can carry; --rate overrides.
        var rate = arguments.OptionalDouble("rate") ?? Math.Clamp(agents / 2.0, 1, 100);

        var auditPath = Path.Combine(Path.GetTempPath(), $"callcenter-bench-audit-{Guid.NewGuid():N}.log");
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["CallCenter:SiloPort"] = FreePort().ToString(),
            ["CallCenter:GatewayPort"] = FreePort().ToString(),
            ["CallCenter:Gateway:Port"] = "0",
            // Every simulated desk logs in from loopback.
            ["CallCenter:Http:LoginsPerMinute"] = "100000",
            ["CallCenter:Gateway:AuditLogPath"] = auditPath,
        });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(builder.Configuration));
        builder.AddAgentGateway();
        await using var app = builder.Build();
        app.MapAgentGateway();
        await app.StartAsync();
        var port = app.Services.GetRequiredService<GatewayEndpoint>().Port;
        var grains = app.Services.GetRequiredService<IGrainFactory>();

        try
        {
            // Queues and agents configured per grain (as BenchSilo does); users added to the directory in one seed.
            var queueIds = Enumerable.Range(0, queues).Select(q => $"bench-agents-q{q}").ToArray();
            foreach (var queueId in queueIds)
            {
                await grains.GetGrain<IQueueGrain>(queueId).ConfigureAsync(new QueueDefinition
                {
                    Id = queueId,
                    Name = queueId,
                    WrapUpSeconds = wrapUpSeconds,
                    AcceptTimeoutSeconds = AcceptTimeoutSeconds,
                    MaxQueueLength = 1_000_000,
                    Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
                });
            }

            var setup = Stopwatch.StartNew();
            var userIds = Enumerable.Range(0, agents).Select(i => $"bench-agent-{i}").ToArray();
            // Every bench user has the same secret, hashed once: each login still verifies it (10,000 iterations), but
            // setting up 5,000 users does not spend half a minute hashing on two cores.
            var hash = SecretHasher.Hash(Secret, SecretHasher.MinimumIterations);
            await grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).SeedAsync(userIds.Select(id => new UserRecord
            {
                UserId = id,
                Role = UserRole.Agent,
                TenantId = TenantDefinition.DefaultTenantId,
                AgentId = id,
                SecretHash = hash,
            }).ToList());
            foreach (var chunk in userIds.Select((id, i) => (id, i)).Chunk(256))
            {
                await Task.WhenAll(chunk.Select(a => grains.GetGrain<IAgentGrain>(a.id).ConfigureAsync(new AgentConfiguration
                {
                    Definition = new AgentDefinition { Id = a.id, Name = a.id, SiteId = "bench" },
                    CandidateQueueIds = [queueIds[a.i % queues]],
                })));
            }

            Console.Error.WriteLine($"setup: {agents} users and agents in {setup.Elapsed.TotalSeconds:F1} s; gateway on 127.0.0.1:{port}");

            // One channel per K sessions, each free to open more HTTP/2 connections (Kestrel allows 100 streams per
            // connection): K long-lived event streams plus at most K unary calls in flight fit in one connection.
            var channels = Enumerable.Range(0, (agents + perChannel - 1) / perChannel)
                .Select(_ => GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
                {
                    HttpHandler = new SocketsHttpHandler
                    {
                        EnableMultipleHttp2Connections = true,
                        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    },
                }))
                .ToArray();
            var stats = new Stats();
            var sessions = userIds.Select((id, i) => new DeskSession(id, new AgentDesk.AgentDeskClient(channels[i / perChannel]), stats, talkMs, wrapUpSeconds > 0)).ToArray();

            var login = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(loginConcurrency))
            {
                await Task.WhenAll(sessions.Select(async session =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        await session.StartAsync();
                    }
                    catch (Exception exception) when (exception is RpcException or TimeoutException)
                    {
                        stats.Error("start", exception);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            var loginSeconds = login.Elapsed.TotalSeconds;
            var started = sessions.Count(s => s.Started);
            Console.Error.WriteLine($"sessions: {started} of {agents} up in {loginSeconds:F1} s");

            // Warm-up (not recorded), then the measured window, then the drain.
            var driver = new CallDriver(grains, queueIds, rate, maxInFlight: agents, stats);
            await driver.RunAsync(TimeSpan.FromSeconds(warmupSeconds));
            stats.Recording = true;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var others = new OtherProcessesCpu();
            using var sampler = new ThreadPoolSampler();
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var gen0Before = GC.CollectionCount(0);
            var window = Stopwatch.StartNew();
            var callsCreated = await driver.RunAsync(TimeSpan.FromSeconds(seconds));
            var drain = Stopwatch.StartNew();
            while (stats.InFlight > 0 && drain.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }

            stats.Recording = false;
            var elapsed = window.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var othersPercent = others.Percent();
            var connected = sessions.Count(s => s.Connected);
            using var process = Process.GetCurrentProcess();
            var workingSetMb = process.WorkingSet64 / (1024.0 * 1024.0);

            var latencies = stats.Latencies();
            Console.WriteLine($"agents: {agents}");
            Console.WriteLine($"sessions_connected: {connected}");
            Console.WriteLine($"login_seconds: {loginSeconds:F2}");
            Console.WriteLine($"secret_hash_iterations: {SecretHasher.MinimumIterations}");
            Console.WriteLine($"seconds: {seconds}");
            Console.WriteLine($"rate_target_per_s: {rate:F0}");
            Console.WriteLine($"calls_created: {callsCreated}");
            Console.WriteLine($"calls_per_s: {callsCreated / seconds:F0}");
            Console.WriteLine($"calls_in_flight_after_drain: {stats.InFlight}");
            Console.WriteLine($"offers: {latencies.Length}");
            Console.WriteLine($"offers_accepted: {stats.Accepted}");
            Console.WriteLine($"offers_withdrawn: {stats.Withdrawn}");
            Console.WriteLine($"offer_delivery_definition: client read of the Offer (UtcNow) minus queue reservation (offer.expires_at - AcceptTimeoutSeconds {AcceptTimeoutSeconds}), same process clock");
            Console.WriteLine($"offer_delivery_p50_ms: {RoutingBench.Percentile(latencies, 0.50):F2}");
            Console.WriteLine($"offer_delivery_p99_ms: {RoutingBench.Percentile(latencies, 0.99):F2}");
            Console.WriteLine($"offer_delivery_max_ms: {(latencies.Length == 0 ? double.NaN : latencies[^1]):F2}");
            var silo = stats.SiloLatencies();
            var stream = stats.StreamLatencies();
            Console.WriteLine($"offer_reserve_to_queued_p50_ms: {RoutingBench.Percentile(silo, 0.50):F2}");
            Console.WriteLine($"offer_reserve_to_queued_p99_ms: {RoutingBench.Percentile(silo, 0.99):F2}");
            Console.WriteLine($"offer_queued_to_client_p50_ms: {RoutingBench.Percentile(stream, 0.50):F2}");
            Console.WriteLine($"offer_queued_to_client_p99_ms: {RoutingBench.Percentile(stream, 0.99):F2}");
            Console.WriteLine($"errors: {stats.Errors}");
            Console.WriteLine($"cpu_pct: {100 * cpu / elapsed / Environment.ProcessorCount:F0}");
            Console.WriteLine($"processor_count: {Environment.ProcessorCount}");
            Console.WriteLine($"other_processes_cpu_pct: {(othersPercent is { } busy ? busy.ToString("F0") : "n/a")}");
            Console.WriteLine($"load_average_1m: {LoadAverage()}");
            Console.WriteLine($"gc_pause_total_ms: {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0}");
            Console.WriteLine($"gc_gen0_collections: {GC.CollectionCount(0) - gen0Before}");
            Console.WriteLine($"gc_gen2_collections: {GC.CollectionCount(2) - gen2Before}");
            Console.WriteLine($"threadpool_threads_max: {sampler.MaxThreads}");
            Console.WriteLine($"threadpool_queue_max: {sampler.MaxQueue}");
            Console.WriteLine($"working_set_mb: {workingSetMb:F0}");
            Console.WriteLine($"talk_ms: {talkMs}");
            Console.WriteLine($"queues: {queues}");
            Console.WriteLine($"grpc_channels: {channels.Length}");

            if (arguments.Int("timeline") == 1)
            {
                foreach (var kind in new[] { GCKind.Ephemeral, GCKind.Background, GCKind.FullBlocking })
                {
                    var info = GC.GetGCMemoryInfo(kind);
                    if (info.Index > 0)
                    {
                        Console.Error.WriteLine(
                            $"last {kind} GC: gen{info.Generation} pause {string.Join("+", info.PauseDurations.ToArray().Where(d => d > TimeSpan.Zero).Select(d => d.TotalMilliseconds.ToString("F1")))} ms, " +
                            $"promoted {info.PromotedBytes / 1048576.0:F1} MB, pinned objects {info.PinnedObjectsCount}, heap {info.HeapSizeBytes / 1048576.0:F0} MB, " +
                            $"gen0 {info.GenerationInfo[0].SizeBeforeBytes / 1048576.0:F0}->{info.GenerationInfo[0].SizeAfterBytes / 1048576.0:F0} MB, " +
                            $"gen1 {info.GenerationInfo[1].SizeBeforeBytes / 1048576.0:F0}->{info.GenerationInfo[1].SizeAfterBytes / 1048576.0:F0} MB, " +
                            $"gen2 {info.GenerationInfo[2].SizeAfterBytes / 1048576.0:F0} MB, GC handles {GC.GetGCMemoryInfo().PinnedObjectsCount}");
                    }
                }

                var previousPause = 0.0;
                var offersBySecond = stats.Timeline().ToDictionary(line => int.Parse(line.Split(' ')[1].TrimEnd(':')));
                lock (sampler.PerSecond)
                {
                    foreach (var (second, (pause, queue)) in sampler.PerSecond)
                    {
                        Console.Error.WriteLine($"{offersBySecond.GetValueOrDefault(second, $"second {second}: offers 0")} | gc_pause_ms {pause - previousPause:F0} threadpool_queue_max {queue}");
                        previousPause = pause;
                    }
                }
            }

            foreach (var session in sessions)
            {
                session.Stop();
            }

            foreach (var channel in channels)
            {
                channel.Dispose();
            }

            return connected == agents ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            File.Delete(auditPath);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>
    /// CPU used by the machine's other processes over the window, as a share of all cores (from /proc/[pid]/stat, 100
    /// ticks a second): this machine is shared, and what they take this process cannot have. Processes that end
    /// within the window are missed, and one started within it counts whole.
    /// </summary>
    private sealed class OtherProcessesCpu
    {
        private readonly Dictionary<int, long> _before = Read();
        private readonly long _started = Stopwatch.GetTimestamp();

        public double? Percent()
        {
            if (!Directory.Exists("/proc"))
            {
                return null;
            }

            var after = Read();
            var ticks = after.Sum(pair => pair.Value - _before.GetValueOrDefault(pair.Key));
            return 100.0 * ticks / 100.0 / Stopwatch.GetElapsedTime(_started).TotalSeconds / Environment.ProcessorCount;
        }

        private static Dictionary<int, long> Read()
        {
            var ticks = new Dictionary<int, long>();
            if (!Directory.Exists("/proc"))
            {
                return ticks;
            }

            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks[pid] = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The process ended meanwhile.
                }
            }

            return ticks;
        }
    }

    /// <summary>Samples the thread pool every 100 ms: threads and work items waiting (a starved pool shows here).</summary>
    private sealed class ThreadPoolSampler : IDisposable
    {
        private readonly Timer _timer;

        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly TimeSpan _pauseAtStart = GC.GetTotalPauseDuration();

        public ThreadPoolSampler() => _timer = new Timer(_ =>
        {
            MaxThreads = Math.Max(MaxThreads, ThreadPool.ThreadCount);
            var queue = ThreadPool.PendingWorkItemCount;
            MaxQueue = Math.Max(MaxQueue, queue);
            var second = (int)Stopwatch.GetElapsedTime(_started).TotalSeconds;
            lock (PerSecond)
            {
                var (pause, maxQueue) = PerSecond.GetValueOrDefault(second);
                PerSecond[second] = ((GC.GetTotalPauseDuration() - _pauseAtStart).TotalMilliseconds, Math.Max(maxQueue, queue));
            }
        }, null, 0, 100);

        /// <summary>By second of the window: the GC pause total so far, and the longest thread-pool queue seen.</summary>
        public SortedDictionary<int, (double PauseMs, long MaxQueue)> PerSecond { get; } = [];

        public int MaxThreads { get; private set; }

        public long MaxQueue { get; private set; }

        public void Dispose() => _timer.Dispose();
    }

    private const string Secret = "bench-agent-secret";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Counters shared by the desks and the driver; latencies only while <see cref="Recording"/>.</summary>
    private sealed class Stats
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _silo = [];
        private readonly List<double> _stream = [];
        private readonly List<(double At, double Milliseconds)> _timeline = [];
        private long _windowStart;
        private int _errors;
        private int _accepted;
        private int _withdrawn;
        private int _inFlight;
        private int _reported;

        private volatile bool _recording;

        public bool Recording
        {
            get => _recording;
            set
            {
                if (value)
                {
                    _windowStart = Stopwatch.GetTimestamp();
                }

                _recording = value;
            }
        }

        public int Errors => Volatile.Read(ref _errors);

        public int Accepted => Volatile.Read(ref _accepted);

        public int Withdrawn => Volatile.Read(ref _withdrawn);

        public int InFlight => Volatile.Read(ref _inFlight);

        public void Offer(double milliseconds, double siloMilliseconds, double streamMilliseconds)
        {
            if (Recording)
            {
                lock (_latencies)
                {
                    _latencies.Add(milliseconds);
                    _silo.Add(siloMilliseconds);
                    _stream.Add(streamMilliseconds);
                    _timeline.Add((Stopwatch.GetElapsedTime(_windowStart).TotalSeconds, milliseconds));
                }
            }
        }

        public void AcceptedOne() => Interlocked.Increment(ref _accepted);

        public void WithdrawnOne()
        {
            if (Recording)
            {
                Interlocked.Increment(ref _withdrawn);
            }
        }

        public void CallStarted() => Interlocked.Increment(ref _inFlight);

        public void CallDone() => Interlocked.Decrement(ref _inFlight);

        public void Error(string what, Exception exception)
        {
            Interlocked.Increment(ref _errors);
            if (Interlocked.Increment(ref _reported) <= 10)
            {
                Console.Error.WriteLine($"{what}: {exception.GetType().Name}: {exception.Message}");
            }
        }

        public double[] Latencies() => Sorted(_latencies);

        /// <summary>Reservation to the pump's stamp (AgentEvent.at, set when the offer with its screen-pop is queued for the stream).</summary>
        public double[] SiloLatencies() => Sorted(_silo);

        /// <summary>The pump's stamp to the client's read: the stream write, HTTP/2 on loopback, the client.</summary>
        public double[] StreamLatencies() => Sorted(_stream);

        /// <summary>Offers by the second of the window they were read in: count, p50, p99, max.</summary>
        public IEnumerable<string> Timeline()
        {
            lock (_latencies)
            {
                return _timeline.GroupBy(entry => (int)entry.At).OrderBy(group => group.Key).Select(group =>
                {
                    var sorted = group.Select(entry => entry.Milliseconds).Order().ToArray();
                    return $"second {group.Key}: offers {sorted.Length} p50 {RoutingBench.Percentile(sorted, 0.5):F1} p99 {RoutingBench.Percentile(sorted, 0.99):F1} max {sorted[^1]:F1}";
                }).ToList();
            }
        }

        private double[] Sorted(List<double> values)
        {
            lock (_latencies)
            {
                return values.Order().ToArray();
            }
        }
    }

    /// <summary>One agent desktop: its token, its event stream, and the calls it handles one after another.</summary>
    private sealed class DeskSession(string userId, AgentDesk.AgentDeskClient desk, Stats stats, int talkMs, bool waitForWrapUp)
    {
        private readonly CancellationTokenSource _stop = new();
        private CallOptions _auth;
        private AsyncServerStreamingCall<AgentEvent>? _events;
        private TaskCompletionSource _wrapUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task? _reading;

        public bool Started { get; private set; }

        public bool Connected => Started && _reading is { IsCompleted: false };

        public async Task StartAsync()
        {
            var login = await desk.LoginAsync(new LoginRequest { UserId = userId, Secret = Secret });
            _auth = new CallOptions(new Metadata { { "authorization", "Bearer " + login.Token } });
            _events = desk.Events(new EventsRequest(), _auth.WithCancellationToken(_stop.Token));
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                if (!await _events.ResponseStream.MoveNext(timeout.Token) || _events.ResponseStream.Current.Session is null)
                {
                    throw new TimeoutException($"{userId}: the event stream did not start with SessionStarted");
                }
            }

            await desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, _auth);
            Started = true;
            _reading = ReadAsync();
        }

        public void Stop() => _stop.Cancel();

        private async Task ReadAsync()
        {
            try
            {
                while (await _events!.ResponseStream.MoveNext(_stop.Token))
                {
                    var received = DateTimeOffset.UtcNow;
                    var agentEvent = _events.ResponseStream.Current;
                    switch (agentEvent.EventCase)
                    {
                        case AgentEvent.EventOneofCase.Offer:
                            var reservedAt = agentEvent.Offer.ExpiresAt.ToDateTimeOffset().AddSeconds(-AcceptTimeoutSeconds);
                            var queuedAt = agentEvent.At.ToDateTimeOffset();
                            stats.Offer((received - reservedAt).TotalMilliseconds, (queuedAt - reservedAt).TotalMilliseconds, (received - queuedAt).TotalMilliseconds);
                            _ = HandleAsync(agentEvent.Offer, stats.Recording);
                            break;
                        case AgentEvent.EventOneofCase.OfferWithdrawn:
                            stats.WithdrawnOne();
                            break;
                        case AgentEvent.EventOneofCase.State when agentEvent.State.State == AgentState.WrapUp:
                            _wrapUp.TrySetResult();
                            break;
                    }
                }
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && _stop.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (RpcException exception)
            {
                stats.Error($"{userId} events", exception);
            }
        }

        /// <summary>Accept, talk, hang up, wrap up; an accept counts when its offer was read within the window.</summary>
        private async Task HandleAsync(Offer offer, bool recorded)
        {
            var wrapUp = _wrapUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ended = false;
            try
            {
                await desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, _auth);
                if (recorded)
                {
                    stats.AcceptedOne();
                }
                await Task.Delay(talkMs);
                await desk.HangUpAsync(new CallCommand { CallId = offer.CallId }, _auth);
                ended = true;
                stats.CallDone();
                if (waitForWrapUp)
                {
                    await wrapUp.Task.WaitAsync(TimeSpan.FromSeconds(10));
                }

                await desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = Disposition }, _auth);
            }
            catch (Exception exception) when (exception is RpcException or TimeoutException)
            {
                if (!_stop.IsCancellationRequested)
                {
                    stats.Error($"{userId} call {offer.CallId}{(ended ? " wrap-up" : "")}", exception);
                }

                if (!ended)
                {
                    stats.CallDone();
                }
            }
        }
    }

    /// <summary>
    /// Creates calls at a fixed rate (open loop), spread over the queues, while fewer than the cap are in flight; a run
    /// returns the calls it started that were queued.
    /// </summary>
    private sealed class CallDriver(IGrainFactory grains, string[] queueIds, double rate, int maxInFlight, Stats stats)
    {
        private int _sequence;

        public async Task<int> RunAsync(TimeSpan duration)
        {
            var creating = new List<Task<bool>>();
            var clock = Stopwatch.StartNew();
            var due = 0.0;
            var last = TimeSpan.Zero;
            while (clock.Elapsed < duration)
            {
                var now = clock.Elapsed;
                due += (now - last).TotalSeconds * rate;
                last = now;
                while (due >= 1 && stats.InFlight < maxInFlight)
                {
                    due -= 1;
                    stats.CallStarted();
                    creating.Add(CreateAsync(Interlocked.Increment(ref _sequence)));
                }

                due = Math.Min(due, rate); // a throttled driver does not build up more than a second of backlog
                await Task.Delay(5);
            }

            return (await Task.WhenAll(creating)).Count(queued => queued);
        }

        private async Task<bool> CreateAsync(int sequence)
        {
            try
            {
                var call = grains.GetGrain<ICallGrain>($"bench-agents-call-{sequence}");
                await call.ArriveAsync(new CallArrival
                {
                    SiteId = "bench",
                    CallerNumber = $"+4420{sequence % 100_000:D7}",
                    AttachedData = new Dictionary<string, string> { ["ivr.choice"] = "1" },
                });
                var queued = await call.EnqueueAsync(queueIds[sequence % queueIds.Length]);
                if (queued.Status != EnqueueStatus.Queued)
                {
                    throw new InvalidOperationException($"call {sequence}: enqueue {queued.Status} {queued.Message}");
                }

                return true;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                stats.CallDone();
                stats.Error("driver", exception);
                return false;
            }
        }
    }
}
