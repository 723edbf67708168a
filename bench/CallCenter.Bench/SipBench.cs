using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace CallCenter.Bench;

/// <summary>
/// <c>sip [--calls N] [--rate R] [--limit L] [--agents M] [--talk-ms T] [--phones P] [--callers C] [--tcp 0|1]
/// [--warmup W] [--warmup-rate WR] [--edge-port E]</c>: SIP call throughput with real SIPp peers (Debian package
/// sip-tester) on 127.0.0.1, scenarios from tests/sipp. Self-contained: without <c>--edge-port</c> the contact center
/// runs in this process.
/// <list type="bullet">
/// <item><c>baseline_cps</c>: SIPp's uac-baseline against SIPp's uas-baseline, no edge: N calls at R per second, calls
/// completed over the wall time from the client's start to its exit. What the machine does without the edge.</item>
/// <item><c>calls</c>, <c>failed_calls</c>, <c>cps</c>: the same N calls at R per second through the edge
/// (<see cref="RunEdgeAsync"/>): SIPp callers (caller-waits-for-bye.xml, C processes sharing N and R, dialling 5000) →
/// edge → queue → agent → SIPp agent phones (agent-phone.xml, P processes; M phones registered with digest MD5 through
/// the edge's registrar by agent-register.xml) that answer (answering is the agent's accept: the edge accepts the offer
/// in the grains when the phone answers), talk T ms and hang up → the edge ends the caller's call with a BYE.
/// <c>cps</c> is calls completed over the callers' wall time (start to exit, so it includes the last call's talk and
/// SIPp's timewait: about T + 0.6 s more than N / R; run R a little above a target to reach it). W warm-up calls at WR
/// per second run first and are not measured (JIT tiering alone costs the edge about twice its CPU for ~10 s).</item>
/// <item>In process (<see cref="SipBenchCenter"/>): the embedded silo co-hosting the edge as src/Silo does
/// (<c>AddSipEdge</c>; free loopback port, MD5 digest, rate limits lifted since every peer is 127.0.0.1, no ring time,
/// no survey, no recording, RTP ports 10000-29999), a queue on number 5000 (wrap-up 0), agents agent1..agentM
/// (password "secret") logged in. A call fails when SIPp fails it or its call grain did not end Answered: every call
/// grain of the run is read afterwards (<c>sipp_failed_calls</c> + <c>grain_failed_calls</c>, so a call failing both
/// ways counts twice, capped at N). Also printed: the grains' phase timings (<c>ms_*</c>), the queue's peak, CPU,
/// GC pauses, thread pool, and datagrams the kernel dropped for full receive buffers per socket
/// (<c>udp_receive_buffer_drops</c>); the edge's log (warnings, per-second samples, SIPp's per-second caller
/// statistics) goes to a file named by <c>edge_log</c>.</item>
/// <item>With <c>--edge-port E</c> the callers and phones go to an external edge at 127.0.0.1:E (it must know users
/// agent1..agentM with password "secret" and route number 5000), and only SIPp's verdict counts.</item>
/// </list>
/// Defaults: N 1000, R 100, M 300, T 500, P 1, C 1, UDP, W 1000, WR min(R, 100). Agents must outnumber the calls in
/// progress (about R × (T + set-up) / 1000, more when the machine is busy): 300 agents carry 320 calls/s of 500 ms.
/// </summary>
internal static partial class SipBench
{
    private const string Sipp = "/usr/bin/sipp";

    /// <summary>The in-process edge's RTP ports: below the kernel's ephemeral range, where SIPp's SIP and media ports are.</summary>
    private const int EdgeRtpFirst = 10000;
    private const int EdgeRtpLast = 29999;

    public static async Task<int> RunAsync(Arguments arguments)
    {
        var rate = arguments.Double("rate");
        var settings = new Settings(
            Calls: arguments.Int("calls"),
            Rate: rate,
            Limit: arguments.Int("limit"),
            Agents: arguments.Int("agents"),
            Talk: TimeSpan.FromMilliseconds(arguments.Int("talk-ms")),
            Phones: Math.Max(1, arguments.Int("phones")),
            Callers: Math.Max(1, arguments.Int("callers")),
            Transport: arguments.Int("tcp") != 0 ? "t1" : "u1",
            WarmUpCalls: Math.Max(0, arguments.Int("warmup")),
            WarmUpRate: arguments.OptionalDouble("warmup-rate") ?? Math.Min(rate, 100));
        var edgePort = arguments.Int("edge-port");
        if (!File.Exists(Sipp))
        {
            Console.Error.WriteLine($"{Sipp} is missing: apt-get install sip-tester");
            return 2;
        }

        var scenarios = ScenarioDirectory();
        var baseline = await RunBaselineAsync(scenarios, settings);

        EdgeFigures edge;
        SipBenchCenter.GrainCheck? grains = null;
        string? logPath = null;
        int logWarnings = 0, logErrors = 0;
        if (edgePort != 0)
        {
            edge = await RunEdgeAsync(scenarios, new IPEndPoint(IPAddress.Loopback, edgePort), settings, null);
        }
        else
        {
            logPath = Path.Combine(Path.GetTempPath(), $"sip-bench-edge-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
            var started = Stopwatch.StartNew();
            await using var center = await SipBenchCenter.StartAsync(settings.Agents, FreePort(), EdgeRtpFirst, EdgeRtpLast, logPath);
            center.Log.Note($"silo, edge on {center.Edge} and {settings.Agents} agents ready in {started.Elapsed.TotalSeconds:F2} s");
            edge = await RunEdgeAsync(scenarios, center.Edge, settings, center);
            center.Log.Note($"callers done: {edge.Callers}");
            grains = await center.CheckCallsAsync();
            center.Log.Note($"grains: {grains.Calls} calls, {grains.Answered} answered, others {string.Join(", ", grains.Others.Select(o => $"{o.Key} {o.Value}"))}");
            if (grains.Example is { } example)
            {
                Console.Error.WriteLine($"a call that did not end Answered: {example}");
            }

            center.Log.Flush();
            logWarnings = center.Log.Warnings;
            logErrors = center.Log.Errors;
        }

        var sippFailed = settings.Calls - edge.Callers.Successful;
        var grainFailed = grains is null ? 0 : grains.NotAnswered + Math.Max(0, (int)edge.Callers.Successful - grains.Calls);
        var failed = Math.Min(settings.Calls, sippFailed + grainFailed);

        Console.WriteLine($"calls: {settings.Calls}");
        Console.WriteLine($"rate: {Invariant(settings.Rate)}");
        Console.WriteLine($"transport: {(settings.Transport == "t1" ? "tcp" : "udp")}");
        Console.WriteLine($"edge: {(edgePort == 0 ? $"in-process {edge.Edge}" : edge.Edge.ToString())}");
        Console.WriteLine($"failed_calls: {failed}");
        Console.WriteLine($"cps: {edge.Callers.Cps.ToString("F1", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"baseline_cps: {baseline.Cps.ToString("F1", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"baseline_failed_calls: {settings.Calls - baseline.Successful}");
        Console.WriteLine($"baseline_seconds: {Seconds(baseline.Elapsed)}");
        Console.WriteLine($"edge_seconds: {Seconds(edge.Callers.Elapsed)}");
        Console.WriteLine($"sipp_failed_calls: {sippFailed}");
        Console.WriteLine($"grain_failed_calls: {(grains is null ? "n/a" : Invariant(grainFailed))}");
        if (grains is not null)
        {
            Console.WriteLine($"grain_calls: {grains.Calls}");
            Console.WriteLine($"grain_outcomes: Answered {grains.Answered}{string.Concat(grains.Others.Select(o => $", {o.Key} {o.Value}"))}");
            Console.WriteLine($"queue_offered: {grains.Queue.Offered}");
            Console.WriteLine($"queue_answered: {grains.Queue.Answered}");
            Console.WriteLine($"queue_abandoned: {grains.Queue.Abandoned}");
            Console.WriteLine($"offers_rejected_or_expired: {grains.RejectedOffers}");
            foreach (var (phase, figures) in grains.Phases)
            {
                Console.WriteLine($"ms_{phase}: {figures}");
            }
        }

        if (edge.Sampled is { } sampled)
        {
            Console.WriteLine($"queue_max_waiting: {sampled.MaxWaiting}");
            Console.WriteLine($"min_idle_agents: {sampled.MinIdleAgents}");
            Console.WriteLine($"bench_process_cpu_percent: {sampled.ProcessCpuPercent.ToString("F0", CultureInfo.InvariantCulture)} (max {sampled.MaxProcessCpuPercent.ToString("F0", CultureInfo.InvariantCulture)} in a second; % of one core; silo, grains and edge)");
            Console.WriteLine($"machine_cpu_percent: {sampled.MachineCpuPercent.ToString("F0", CultureInfo.InvariantCulture)} (of {Environment.ProcessorCount} cores; SIPp and anything else running included)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gc: pause {sampled.GcPauseMs:F0} ms in all (max {sampled.MaxGcPauseMsInASecond:F0} ms in a second), collections gen0 {sampled.Gen0} gen1 {sampled.Gen1} gen2 {sampled.Gen2}"));
            Console.WriteLine($"gc_reasons: {sampled.GcReasons}");
            Console.WriteLine($"thread_pool: max {sampled.MaxThreadPoolThreads} threads, max {sampled.MaxThreadPoolQueue} queued work items");
        }

        Console.WriteLine($"udp_receive_buffer_drops: {edge.UdpDrops}");
        Console.WriteLine($"warmup_calls: {settings.WarmUpCalls}");
        if (settings.WarmUpCalls > 0)
        {
            Console.WriteLine($"warmup_rate: {Invariant(settings.WarmUpRate)}");
            Console.WriteLine($"warmup_failed_calls: {edge.WarmUpFailed?.ToString(CultureInfo.InvariantCulture) ?? "n/a"}");
        }

        Console.WriteLine($"agents: {settings.Agents}");
        Console.WriteLine($"agents_registered: {edge.Registered}");
        Console.WriteLine($"register_seconds: {Seconds(edge.RegisterElapsed)}");
        Console.WriteLine($"talk_ms: {(int)settings.Talk.TotalMilliseconds}");
        Console.WriteLine($"phones: {settings.Phones}");
        Console.WriteLine($"callers: {settings.Callers}");
        Console.WriteLine($"phone_calls: {edge.PhoneAnswered}");
        Console.WriteLine($"phone_failed_calls: {edge.PhoneFailed}");
        if (logPath is not null)
        {
            Console.WriteLine($"edge_log: {logPath}");
            Console.WriteLine($"edge_log_warnings: {logWarnings}");
            Console.WriteLine($"edge_log_errors: {logErrors}");
        }

        return baseline.Successful == settings.Calls && failed == 0 ? 0 : 1;
    }

    /// <summary>SIPp uac-baseline → uas-baseline on loopback: calls completed per second of the client's wall time.</summary>
    private static async Task<Figures> RunBaselineAsync(string scenarios, Settings settings)
    {
        var timeout = Timeout(settings.Calls, settings.Rate);
        var uasPort = FreePort();
        await using var uas = Run(scenarios, "uas-baseline.xml", null, uasPort, settings.Transport, timeout, ["-m", Invariant(settings.Calls)]);
        await uas.WaitUntilListeningAsync(settings.Transport);
        var client = new List<string> { "-m", Invariant(settings.Calls), "-r", Invariant(settings.Rate) };
        if (settings.Limit > 0)
        {
            client.AddRange(["-l", Invariant(settings.Limit)]);
        }

        await using var uac = Run(scenarios, "uac-baseline.xml", uas.Endpoint, FreePort(), settings.Transport, timeout, client);
        var result = await uac.WaitAsync();
        await uas.WaitAsync();
        if (result.Successful < settings.Calls)
        {
            Console.Error.WriteLine($"baseline: {result.Successful} of {settings.Calls} calls succeeded:\n{uac.Errors()}");
        }

        return result;
    }

    /// <summary>
    /// The edge part: P SIPp agent phones (agent-phone.xml servers; agent i answers on phone (i - 1) mod P) register
    /// agents agent1..agentM with the edge at <paramref name="edge"/> (agent-register.xml, password "secret"); a warm-up
    /// of W calls (JIT tiering, pools, grain types: not measured); then C SIPp callers (caller-waits-for-bye.xml,
    /// dialling 5000) place the calls; the phones answer and hang up after the talk time; the edge must then end each
    /// caller's call. Figures are the callers': completed calls per second of their wall time (the slowest caller's).
    /// With the in-process <paramref name="center"/>: waits for the agents' phones, leaves the warm-up's calls out of
    /// the grain check, and samples the queue and CPU while the callers run.
    /// </summary>
    private static async Task<EdgeFigures> RunEdgeAsync(string scenarios, IPEndPoint edge, Settings settings, SipBenchCenter? center)
    {
        var timeout = Timeout(settings.Calls + settings.WarmUpCalls, Math.Min(settings.Rate, settings.WarmUpRate)) + (settings.Talk * 2);
        var phones = new List<SippRun>();
        var callers = new List<SippRun>();
        var files = new List<string>();
        try
        {
            for (var p = 0; p < settings.Phones; p++)
            {
                var phone = Run(scenarios, "agent-phone.xml", null, FreePort(), settings.Transport, timeout,
                    ["-set", "bye_after_ms", Invariant((int)settings.Talk.TotalMilliseconds)]);
                phones.Add(phone);
                await phone.WaitUntilListeningAsync(settings.Transport);
            }

            var registerClock = Stopwatch.StartNew();
            long registeredPhones = 0;
            for (var p = 0; p < settings.Phones; p++)
            {
                var agents = Enumerable.Range(1, settings.Agents).Where(i => (i - 1) % settings.Phones == p).ToList();
                if (agents.Count == 0)
                {
                    continue;
                }

                var agentsFile = Path.Combine(Path.GetTempPath(), $"bench-agents-{Guid.NewGuid():N}.csv");
                files.Add(agentsFile);
                File.WriteAllLines(agentsFile, ["SEQUENTIAL", .. agents.Select(i => $"agent{i};[authentication username=agent{i} password={SipBenchCenter.Password}]")]);
                await using var register = Run(scenarios, "agent-register.xml", edge, FreePort(), settings.Transport, TimeSpan.FromSeconds(60),
                    ["-inf", agentsFile, "-m", Invariant(agents.Count), "-r", "200", "-set", "phone_port", Invariant(phones[p].Endpoint.Port)]);
                var result = await register.WaitAsync();
                registeredPhones += result.Successful;
                if (result.Failed > 0 || result.Successful < agents.Count)
                {
                    Console.Error.WriteLine($"agent registration on phone {p}: {result.Successful} of {agents.Count} succeeded:\n{register.Errors()}");
                }
            }

            if (center is not null)
            {
                var withPhone = await center.WaitForPhonesAsync(TimeSpan.FromSeconds(30));
                center.Log.Note($"{withPhone} of {settings.Agents} agents available with a phone");
                if (withPhone < settings.Agents)
                {
                    Console.Error.WriteLine($"only {withPhone} of {settings.Agents} agents are available with a registered phone");
                }
            }

            var registerElapsed = registerClock.Elapsed;
            long? warmUpFailed = null;
            if (settings.WarmUpCalls > 0)
            {
                center?.Log.Note($"warm-up: {settings.WarmUpCalls} calls at {settings.WarmUpRate}/s");
                await using var warmUp = Run(scenarios, "caller-waits-for-bye.xml", edge, FreePort(), settings.Transport, timeout,
                    CallerArguments(settings, settings.WarmUpCalls, settings.WarmUpRate, settings.Limit));
                var warmed = await warmUp.WaitAsync();
                warmUpFailed = settings.WarmUpCalls - warmed.Successful;
                if (center is not null)
                {
                    var check = await center.EndWarmUpAsync();
                    warmUpFailed += check.NotAnswered;
                    center.Log.Note($"warm-up done: {warmed}; grains {check.Calls} calls, {check.Answered} answered");
                }

                if (warmUpFailed > 0)
                {
                    Console.Error.WriteLine($"warm-up: {warmUpFailed} failed calls:\n{warmUp.Errors()}");
                }

                // Let the JIT's background tier-1 compilations of what the warm-up ran finish.
                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            var sampler = center?.StartSampling();
            var drops = new UdpDropWatch();
            center?.Log.Note($"callers: {settings.Calls} calls at {settings.Rate}/s");
            for (var c = 0; c < settings.Callers; c++)
            {
                var calls = (settings.Calls / settings.Callers) + (c < settings.Calls % settings.Callers ? 1 : 0);
                var limit = settings.Limit > 0 ? Math.Max(1, settings.Limit / settings.Callers) : 0;
                callers.Add(Run(scenarios, "caller-waits-for-bye.xml", edge, FreePort(), settings.Transport, timeout,
                    [.. CallerArguments(settings, calls, settings.Rate / settings.Callers, limit), "-fd", "1"]));
            }

            var results = new List<Figures>();
            foreach (var caller in callers)
            {
                results.Add(await caller.WaitAsync());
            }

            var sampled = sampler is null ? null : await sampler.StopAsync();
            var dropped = await drops.StopAsync();
            var sipPorts = new HashSet<int>(phones.Concat(callers).Select(run => run.Endpoint.Port)) { edge.Port };
            var udpDrops = new UdpDropFigures(
                dropped.GetValueOrDefault(edge.Port),
                phones.Sum(run => dropped.GetValueOrDefault(run.Endpoint.Port)),
                callers.Sum(run => dropped.GetValueOrDefault(run.Endpoint.Port)),
                center is null ? 0 : dropped.Where(pair => pair.Key is >= EdgeRtpFirst and <= EdgeRtpLast).Sum(pair => pair.Value),
                dropped.Where(pair => !sipPorts.Contains(pair.Key) && (center is null || pair.Key is < EdgeRtpFirst or > EdgeRtpLast)).Sum(pair => pair.Value));
            foreach (var phone in phones)
            {
                phone.StopGracefully();
            }

            var phoneResults = new List<Figures>();
            foreach (var phone in phones)
            {
                phoneResults.Add(await phone.WaitAsync());
            }

            for (var c = 0; c < callers.Count; c++)
            {
                if (center is not null)
                {
                    center.Log.Note($"caller {c} final screen (messages, retransmissions, timeouts):\n{callers[c].Screen()}");
                    foreach (var line in callers[c].Timeline("ElapsedTime(C)", "CurrentCall", "OutgoingCall(P)", "SuccessfulCall(P)", "FailedCall(P)", "Retransmissions(C)"))
                    {
                        center.Log.Note($"caller {c} stats: {line}");
                    }
                }

                if (results[c].Failed > 0)
                {
                    Console.Error.WriteLine($"caller {c}: {results[c].Failed} failed calls:\n{callers[c].Errors()}");
                }
            }

            for (var p = 0; p < phones.Count; p++)
            {
                center?.Log.Note($"phone {p} final screen:\n{phones[p].Screen()}");
                if (phoneResults[p].Failed > 0)
                {
                    Console.Error.WriteLine($"phone {p}: {phoneResults[p].Failed} failed calls:\n{phones[p].Errors()}");
                }
            }

            var total = new Figures(results.Sum(r => r.Successful), results.Sum(r => r.Failed), results.Max(r => r.Elapsed));
            return new EdgeFigures(edge, total, registeredPhones, registerElapsed, phoneResults.Sum(r => r.Successful), phoneResults.Sum(r => r.Failed), warmUpFailed, sampled, udpDrops);
        }
        finally
        {
            foreach (var run in callers.Concat(phones))
            {
                await run.DisposeAsync();
            }

            foreach (var file in files)
            {
                File.Delete(file);
            }
        }
    }

    private static List<string> CallerArguments(Settings settings, int calls, double rate, int limit)
    {
        var arguments = new List<string>
        {
            "-s", SipBenchCenter.Number, "-m", Invariant(calls), "-r", Invariant(rate),
            "-recv_timeout", Invariant((int)(settings.Talk.TotalMilliseconds + 60_000)),
        };
        if (limit > 0)
        {
            arguments.AddRange(["-l", Invariant(limit)]);
        }

        return arguments;
    }

    private static TimeSpan Timeout(int calls, double rate) => TimeSpan.FromSeconds((calls / Math.Max(rate, 0.1) * 2) + 60);

    private static SippRun Run(string scenarios, string scenario, IPEndPoint? remote, int port, string transport, TimeSpan timeout, IEnumerable<string> arguments)
    {
        var directory = Directory.CreateTempSubdirectory("bench-sipp-").FullName;
        var start = new ProcessStartInfo(Sipp)
        {
            WorkingDirectory = scenarios,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (remote is not null)
        {
            start.ArgumentList.Add($"{remote.Address}:{remote.Port}");
        }

        string[] common =
        [
            "-sf", Path.Combine(scenarios, scenario), "-i", "127.0.0.1", "-p", Invariant(port), "-mp", Invariant(FreePort()),
            "-t", transport, "-nostdin", "-aa", "-timeout", $"{(int)timeout.TotalSeconds}s", "-timeout_error",
            "-trace_stat", "-stf", Path.Combine(directory, "stats.csv"), "-trace_err", "-error_file", Path.Combine(directory, "errors.log"),
            "-trace_screen", "-screen_file", Path.Combine(directory, "screen.log"),
            "-max_socket", "60000",
            // SIPp's SIP socket buffers are 64 KB by default: a scheduling hiccup on a busy machine then drops requests
            // and responses (the kernel caps this at net.core.rmem_max/wmem_max).
            "-buff_size", "4194304",
        ];
        foreach (var argument in common.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return new SippRun(process, clock, directory, port, timeout + TimeSpan.FromSeconds(10));
    }

    private static string ScenarioDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "CallCenter.Orleans.sln")))
                {
                    return Path.Combine(directory.FullName, "tests", "sipp");
                }
            }
        }

        throw new DirectoryNotFoundException("tests/sipp not found: run the bench from inside the repository");
    }

    /// <summary>An even port free for UDP and TCP, with the three above it, below 60000.</summary>
    internal static int FreePort()
    {
        while (true)
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port & ~1;
            }

            if (port < 60000 && Enumerable.Range(port, 4).All(candidate => CanBind(candidate, SocketType.Dgram, ProtocolType.Udp) && CanBind(candidate, SocketType.Stream, ProtocolType.Tcp)))
            {
                return port;
            }
        }
    }

    private static bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(
        int Calls, double Rate, int Limit, int Agents, TimeSpan Talk, int Phones, int Callers, string Transport, int WarmUpCalls, double WarmUpRate);

    private sealed record EdgeFigures(
        IPEndPoint Edge, Figures Callers, long Registered, TimeSpan RegisterElapsed, long PhoneAnswered, long PhoneFailed, long? WarmUpFailed,
        SipBenchCenter.Sampled? Sampled, UdpDropFigures UdpDrops);

    /// <summary>Datagrams dropped for a full receive buffer while the callers ran: the edge's SIP socket, the phones' and callers' SIP sockets, the edge's RTP sockets, the rest (SIPp's RTP, anything else).</summary>
    private sealed record UdpDropFigures(long EdgeSip, long PhonesSip, long CallersSip, long EdgeRtp, long Other)
    {
        public override string ToString() => $"edge_sip {EdgeSip}, phones_sip {PhonesSip}, callers_sip {CallersSip}, edge_rtp {EdgeRtp}, other {Other}";
    }

    private sealed record Figures(long Successful, long Failed, TimeSpan Elapsed)
    {
        public double Cps => Elapsed.TotalSeconds > 0 ? Successful / Elapsed.TotalSeconds : 0;
    }

    private sealed partial class SippRun(Process process, Stopwatch clock, string directory, int port, TimeSpan limit) : IAsyncDisposable
    {
        private Figures? _figures;
        private bool _disposed;

        public IPEndPoint Endpoint => new(IPAddress.Loopback, port);

        public async Task WaitUntilListeningAsync(string transport)
        {
            var type = transport == "t1" ? SocketType.Stream : SocketType.Dgram;
            var protocol = transport == "t1" ? ProtocolType.Tcp : ProtocolType.Udp;
            for (var waited = Stopwatch.StartNew(); CanBind(port, type, protocol); await Task.Delay(20))
            {
                if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new InvalidOperationException($"sipp does not listen on {port}: {Errors()}");
                }
            }
        }

        public async Task<Figures> WaitAsync()
        {
            if (_figures is not null)
            {
                return _figures;
            }

            using (var cancel = new CancellationTokenSource(limit))
            {
                try
                {
                    await process.WaitForExitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            var elapsed = clock.Elapsed;
            (long successful, long failed) = ReadStatistics(Path.Combine(directory, "stats.csv"));
            _figures = new Figures(successful, failed, elapsed);
            return _figures;
        }

        public void StopGracefully()
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start(new ProcessStartInfo("kill", ["-USR1", Invariant(process.Id)]) { UseShellExecute = false });
                kill?.WaitForExit();
            }
        }

        /// <summary>
        /// SIPp's error log summed up: each event (a line starting with a date) reduced to its kind (quoted messages,
        /// Call-IDs and numbers blanked) and counted, most frequent first; the whole log is kept in a file when it is long.
        /// </summary>
        public string Errors()
        {
            var path = Path.Combine(directory, "errors.log");
            if (!File.Exists(path))
            {
                return string.Empty;
            }

            var text = File.ReadAllText(path);
            var kinds = EventStart().Matches(text)
                .Select(match => Numbers().Replace(Identifiers().Replace(Quoted().Replace(match.Groups[1].Value, "'$1…'"), "X"), "N"))
                .Select(kind => kind.Length > 200 ? kind[..200] + "…" : kind)
                .GroupBy(kind => kind)
                .OrderByDescending(group => group.Count())
                .Select(group => $"  {group.Count()} × {group.Key}")
                .ToList();
            var summary = kinds.Count == 0 ? (text.Length > 2000 ? text[..2000] + "..." : text) : string.Join('\n', kinds.Take(15));
            if (text.Length > 2000)
            {
                var kept = Path.Combine(Path.GetTempPath(), $"sip-bench-{process.Id}-errors.log");
                File.Copy(path, kept, overwrite: true);
                summary += $"\n  (whole log: {kept})";
            }

            return summary;
        }

        /// <summary>An event of SIPp's error log: date, time, epoch, then the message (events follow each other on one line too).</summary>
        [GeneratedRegex(@"\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: ([^\n]*)")]
        private static partial Regex EventStart();

        /// <summary>A quoted message or name: a leading method name is kept (e.g. 'INVITE…', 'ACK…').</summary>
        [GeneratedRegex(@"'([A-Z]{2,12}(?=[\s']))?[^']*('|$)")]
        private static partial Regex Quoted();

        /// <summary>Call-IDs and the like: long tokens holding a digit.</summary>
        [GeneratedRegex(@"(?<![\w'])(?=[^\s']*\d)[^\s']{8,}")]
        private static partial Regex Identifiers();

        [GeneratedRegex(@"\d+")]
        private static partial Regex Numbers();

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            Directory.Delete(directory, recursive: true);
        }

        /// <summary>SIPp's last screen (per message: sent, received, retransmissions, timeouts, unexpected), written when it exits.</summary>
        public string Screen()
        {
            var path = Path.Combine(directory, "screen.log");
            if (!File.Exists(path))
            {
                return "(no screen)";
            }

            // The file holds the scenario screen first; the statistics screens after it are in the stats file already.
            var text = File.ReadAllText(path);
            var end = text.IndexOf("------------------------------ Test Terminated", StringComparison.Ordinal);
            return end > 0 ? text[..end] : text;
        }

        /// <summary>The rows of SIPp's statistics file (one a second with <c>-fd 1</c>), only the named columns.</summary>
        public IEnumerable<string> Timeline(params string[] columns)
        {
            var path = Path.Combine(directory, "stats.csv");
            if (!File.Exists(path))
            {
                yield break;
            }

            var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
            if (lines.Count < 2)
            {
                yield break;
            }

            var header = lines[0].Split(';');
            var indexes = columns.Select(column => Array.IndexOf(header, column)).ToArray();
            foreach (var line in lines.Skip(1))
            {
                var values = line.Split(';');
                yield return string.Join(' ', columns.Select((column, i) => $"{column}={(indexes[i] >= 0 && indexes[i] < values.Length ? values[indexes[i]] : "?")}"));
            }
        }

        private static (long Successful, long Failed) ReadStatistics(string path)
        {
            if (!File.Exists(path))
            {
                return (0, 0);
            }

            var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
            if (lines.Count < 2)
            {
                return (0, 0);
            }

            var header = lines[0].Split(';');
            var values = lines[^1].Split(';');
            long Read(string name)
            {
                var index = Array.IndexOf(header, name);
                return index >= 0 && index < values.Length && long.TryParse(values[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
            }

            return (Read("SuccessfulCall(C)"), Read("FailedCall(C)"));
        }
    }
}
