using System.Diagnostics;
using System.Globalization;
using System.Net;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.Bench;

/// <summary>
/// <c>media [--calls N] [--seconds S] [--transcode 0|1] [--record 0|1] [--inline 0|1] [--separate 0|1]</c>: N bridged calls
/// on loopback. Each call has a caller leg and an agent leg (RtpEndpoints on the engine's clock) joined by a MediaBridge,
/// and two phones (RtpEndpoints on clocks of their own) that send a tone at 50 packets/s each way: 1 kHz from the caller
/// phone, 2 kHz from the agent phone. Loss counts every packet the phones sent against what the far phone received,
/// after the phones stop and the last packets drain. cpu_pct is this process's CPU time over the measured S seconds
/// (after a 1 s warm-up) over the core count: with the phones in this process (the default) it includes them; with
/// --separate 1 the phones run in a child process (<c>media-phones</c>), so cpu_pct is the engine alone and
/// phones_cpu_pct is the child. --transcode 1 puts the agent side on PCMA (PCMU↔PCMA on every packet); --record 1
/// records each call; --inline 0 leaves socket completions on the thread pool (the .NET default) instead of running
/// them on the socket engine's threads.
/// </summary>
internal static class MediaBench
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const int EnginePortBase = 16000;

    public static async Task RunAsync(Arguments arguments)
    {
        int calls = arguments.Int("calls");
        double seconds = arguments.Double("seconds");
        bool transcode = arguments.Int("transcode") != 0;
        bool record = arguments.Int("record") != 0;
        bool separate = arguments.Int("separate") != 0;
        bool inline = ConfigureInlineCompletions(arguments);

        int span = (4 * calls) + 200;
        var enginePool = new RtpPortPool(IPAddress.Loopback, EnginePortBase, EnginePortBase + span);
        string recordings = Path.Combine(Path.GetTempPath(), $"media-bench-{Environment.ProcessId}");
        if (record)
        {
            Directory.CreateDirectory(recordings);
        }

        await using var engineClock = new MediaClock(TimeProvider.System);
        var callerLegs = new RtpEndpoint[calls];
        var agentLegs = new RtpEndpoint[calls];
        var bridges = new MediaBridge[calls];
        var recorders = new List<CallRecorder>();
        AudioCodec agentCodec = transcode ? AudioCodec.Pcma : AudioCodec.Pcmu;
        for (int i = 0; i < calls; i++)
        {
            callerLegs[i] = RtpEndpoint.Open(enginePool, engineClock);
            agentLegs[i] = RtpEndpoint.Open(enginePool, engineClock);
            agentLegs[i].Codec = agentCodec;
            bridges[i] = new MediaBridge(callerLegs[i], agentLegs[i]);
            if (record)
            {
                var recorder = new CallRecorder(Path.Combine(recordings, $"call-{i}.wav"), engineClock);
                bridges[i].Attach(recorder);
                recorders.Add(recorder);
            }
        }

        int[] callerPorts = callerLegs.Select(leg => leg.LocalEndPoint.Port).ToArray();
        int[] agentPorts = agentLegs.Select(leg => leg.LocalEndPoint.Port).ToArray();
        IPhones phones = separate
            ? await ChildPhones.CreateAsync(callerPorts, agentPorts, transcode, inline)
            : LocalPhones.Create(callerPorts, agentPorts, transcode, EnginePortBase + span + 2);

        // The phones' addresses, as the SDP would give them.
        for (int i = 0; i < calls; i++)
        {
            callerLegs[i].SetRemote(new IPEndPoint(IPAddress.Loopback, phones.CallerPhonePorts[i]));
            agentLegs[i].SetRemote(new IPEndPoint(IPAddress.Loopback, phones.AgentPhonePorts[i]));
        }

        await phones.StartAsync();

        await Task.Delay(TimeSpan.FromSeconds(1));
        using Process process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuStart = process.TotalProcessorTime;
        TimeSpan phonesCpuStart = phones.CpuTime;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        long relayedStart = bridges.Sum(bridge => bridge.RelayedPackets);
        int gen0Start = GC.CollectionCount(0);
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        double elapsed = wall.Elapsed.TotalSeconds;
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuStart;
        TimeSpan phonesCpu = phones.CpuTime - phonesCpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        long relayedInWindow = bridges.Sum(bridge => bridge.RelayedPackets) - relayedStart;
        int gen0 = GC.CollectionCount(0) - gen0Start;

        PhoneCounts counts = await phones.StopAsync();
        long relayed = bridges.Sum(bridge => bridge.RelayedPackets);
        double lossPct = counts.Sent == 0 ? 100 : 100.0 * (counts.Sent - counts.Received) / counts.Sent;
        double cores = Environment.ProcessorCount;

        Console.WriteLine($"bridged_calls {calls}");
        Console.WriteLine($"rtp_loss_pct {lossPct:F4}");
        Console.WriteLine($"cpu_pct {100.0 * cpu.TotalSeconds / elapsed / cores:F1}");
        Console.WriteLine($"relayed_packets {relayed}");
        Console.WriteLine($"packets_sent {counts.Sent}");
        Console.WriteLine($"packets_received {counts.Received}");
        Console.WriteLine($"relayed_per_s {relayedInWindow / elapsed:F0}");
        Console.WriteLine($"phones {(separate ? "child_process" : "in_process")}");
        if (separate)
        {
            Console.WriteLine($"phones_cpu_pct {100.0 * phonesCpu.TotalSeconds / elapsed / cores:F1}");
        }

        Console.WriteLine($"allocated_bytes_per_relayed_packet {(relayedInWindow == 0 ? 0 : (double)allocated / relayedInWindow):F1}");
        Console.WriteLine($"gen0_collections {gen0}");
        Console.WriteLine($"clock_skipped_ticks engine={engineClock.SkippedTicks} phones={counts.SkippedTicks}");
        Console.WriteLine($"tone_check_call0 agent_hears_1khz={counts.AgentHears1kHz:P1} caller_hears_2khz={counts.CallerHears2kHz:P1}");
        Console.WriteLine($"cores {Environment.ProcessorCount}");
        Console.WriteLine($"transcode {(transcode ? 1 : 0)}");
        Console.WriteLine($"record {(record ? 1 : 0)}");
        Console.WriteLine($"inline_completions {(inline ? 1 : 0)}");

        foreach (CallRecorder recorder in recorders)
        {
            await recorder.StopAsync();
        }

        foreach (MediaBridge bridge in bridges)
        {
            bridge.Dispose();
        }

        foreach (RtpEndpoint endpoint in callerLegs.Concat(agentLegs))
        {
            await endpoint.DisposeAsync();
        }

        if (record)
        {
            Directory.Delete(recordings, recursive: true);
        }
    }

    /// <summary>
    /// <c>media-phones --calls N --transcode 0|1 --inline 0|1 --port-base P</c>: the phones of <c>media --separate 1</c>.
    /// Reads "callerPort agentPort" lines (one per call) on stdin, answers with the phones' "callerPhonePort agentPhonePort"
    /// lines, starts sending on "go" (answering "started"), stops on "stop", then prints one
    /// "counts sent received skipped agentHears callerHears" line.
    /// </summary>
    public static async Task RunPhonesAsync(Arguments arguments)
    {
        int calls = arguments.Int("calls");
        bool transcode = arguments.Int("transcode") != 0;
        ConfigureInlineCompletions(arguments);
        var callerPorts = new int[calls];
        var agentPorts = new int[calls];
        for (int i = 0; i < calls; i++)
        {
            string[] ports = (Console.ReadLine() ?? throw new InvalidOperationException("ports expected")).Split(' ');
            callerPorts[i] = int.Parse(ports[0], CultureInfo.InvariantCulture);
            agentPorts[i] = int.Parse(ports[1], CultureInfo.InvariantCulture);
        }

        LocalPhones phones = LocalPhones.Create(callerPorts, agentPorts, transcode, arguments.Int("port-base"));
        for (int i = 0; i < calls; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phones.CallerPhonePorts[i]} {phones.AgentPhonePorts[i]}"));
        }

        if (Console.ReadLine() != "go")
        {
            throw new InvalidOperationException("'go' expected");
        }

        await phones.StartAsync();
        Console.WriteLine("started");
        while (Console.ReadLine() is string line && line != "stop")
        {
        }

        PhoneCounts counts = await phones.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"counts {counts.Sent} {counts.Received} {counts.SkippedTicks} {counts.AgentHears1kHz} {counts.CallerHears2kHz}"));
    }

    private static bool ConfigureInlineCompletions(Arguments arguments)
    {
        // .NET hands socket completions to the thread pool unless this is set before the first socket operation of the
        // process; running the (short) packet handlers on the socket engine's threads saves a hop per packet.
        if (arguments.Int("inline") != 0 && Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }

        return Environment.GetEnvironmentVariable(InlineCompletions) == "1";
    }

    private readonly record struct PhoneCounts(long Sent, long Received, long SkippedTicks, double AgentHears1kHz, double CallerHears2kHz);

    private interface IPhones
    {
        TimeSpan CpuTime { get; }

        IReadOnlyList<int> CallerPhonePorts { get; }

        IReadOnlyList<int> AgentPhonePorts { get; }

        Task StartAsync();

        Task<PhoneCounts> StopAsync();
    }

    /// <summary>2N phone endpoints on their own clocks (one per 100 phones), each playing a looped one-second tone to its leg.</summary>
    private sealed class LocalPhones : IPhones
    {
        private const int PhonesPerClock = 100;
        private readonly List<MediaClock> _clocks = [];
        private long _skippedBeforeStart;
        private readonly List<RtpEndpoint> _callerPhones = [];
        private readonly List<RtpEndpoint> _agentPhones = [];
        private readonly ToneCheck _agentHears = new(1000);
        private readonly ToneCheck _callerHears = new(2000);

        public TimeSpan CpuTime => TimeSpan.Zero;

        public IReadOnlyList<int> CallerPhonePorts => _callerPhones.Select(phone => phone.LocalEndPoint.Port).ToArray();

        public IReadOnlyList<int> AgentPhonePorts => _agentPhones.Select(phone => phone.LocalEndPoint.Port).ToArray();

        public static LocalPhones Create(int[] callerPorts, int[] agentPorts, bool transcode, int portBase)
        {
            var phones = new LocalPhones();
            var pool = new RtpPortPool(IPAddress.Loopback, portBase, portBase + (4 * callerPorts.Length) + 200);
            for (int i = 0; i < callerPorts.Length; i++)
            {
                if (i % (PhonesPerClock / 2) == 0)
                {
                    // Real phones are not in step: several clocks, started a few ms apart, spread the send bursts
                    // (and let the generator use more than one thread).
                    Thread.Sleep(3);
                    phones._clocks.Add(new MediaClock(TimeProvider.System));
                }

                MediaClock clock = phones._clocks[^1];
                RtpEndpoint caller = RtpEndpoint.Open(pool, clock);
                RtpEndpoint agent = RtpEndpoint.Open(pool, clock);
                agent.Codec = transcode ? AudioCodec.Pcma : AudioCodec.Pcmu;
                caller.SetRemote(new IPEndPoint(IPAddress.Loopback, callerPorts[i]));
                agent.SetRemote(new IPEndPoint(IPAddress.Loopback, agentPorts[i]));
                phones._callerPhones.Add(caller);
                phones._agentPhones.Add(agent);
            }

            phones._agentPhones[0].AudioReceived += phones._agentHears.OnFrame;
            phones._callerPhones[0].AudioReceived += phones._callerHears.OnFrame;
            return phones;
        }

        public Task StartAsync()
        {
            _skippedBeforeStart = _clocks.Sum(clock => clock.SkippedTicks);

            // One second of each tone is a whole number of periods: seamless loops that cost no trigonometry.
            short[] callerTone = ToneGenerator.Sine(1000, 8000);
            short[] agentTone = ToneGenerator.Sine(2000, 8000);
            for (int i = 0; i < _callerPhones.Count; i++)
            {
                _callerPhones[i].Play(MediaSources.Loop(callerTone));
                _agentPhones[i].Play(MediaSources.Loop(agentTone));
            }

            return Task.CompletedTask;
        }

        public async Task<PhoneCounts> StopAsync()
        {
            IEnumerable<RtpEndpoint> all = _callerPhones.Concat(_agentPhones);
            foreach (RtpEndpoint phone in all)
            {
                phone.Play(null);
            }

            // Let the last packets through the bridges before counting.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var counts = new PhoneCounts(all.Sum(phone => phone.PacketsSent), all.Sum(phone => phone.PacketsReceived),
                _clocks.Sum(clock => clock.SkippedTicks) - _skippedBeforeStart, _agentHears.Share, _callerHears.Share);
            foreach (RtpEndpoint phone in all)
            {
                await phone.DisposeAsync();
            }

            foreach (MediaClock clock in _clocks)
            {
                await clock.DisposeAsync();
            }
            return counts;
        }
    }

    /// <summary>The phones in a child process (this executable's <c>media-phones</c> verb), driven over stdin/stdout.</summary>
    private sealed class ChildPhones(Process child, int[] callerPhonePorts, int[] agentPhonePorts) : IPhones
    {
        public IReadOnlyList<int> CallerPhonePorts => callerPhonePorts;

        public IReadOnlyList<int> AgentPhonePorts => agentPhonePorts;

        public TimeSpan CpuTime
        {
            get
            {
                child.Refresh();
                return child.TotalProcessorTime;
            }
        }

        public static async Task<ChildPhones> CreateAsync(int[] callerPorts, int[] agentPorts, bool transcode, bool inline)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("no process path"))
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
            {
                start.ArgumentList.Add(typeof(MediaBench).Assembly.Location);
            }

            foreach (string argument in new[]
            {
                "media-phones", "--calls", callerPorts.Length.ToString(CultureInfo.InvariantCulture),
                "--transcode", transcode ? "1" : "0", "--inline", inline ? "1" : "0",
                "--port-base", (EnginePortBase + (4 * callerPorts.Length) + 202).ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment.Remove(InlineCompletions);
            Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start the phones process");
            for (int i = 0; i < callerPorts.Length; i++)
            {
                await child.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{callerPorts[i]} {agentPorts[i]}"));
            }

            await child.StandardInput.FlushAsync();
            var callerPhonePorts = new int[callerPorts.Length];
            var agentPhonePorts = new int[callerPorts.Length];
            for (int i = 0; i < callerPorts.Length; i++)
            {
                string[] ports = (await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("phones process ended early")).Split(' ');
                callerPhonePorts[i] = int.Parse(ports[0], CultureInfo.InvariantCulture);
                agentPhonePorts[i] = int.Parse(ports[1], CultureInfo.InvariantCulture);
            }

            return new ChildPhones(child, callerPhonePorts, agentPhonePorts);
        }

        public async Task StartAsync()
        {
            await child.StandardInput.WriteLineAsync("go");
            await child.StandardInput.FlushAsync();
            string? started = await child.StandardOutput.ReadLineAsync();
            if (started != "started")
            {
                throw new InvalidOperationException($"phones process said '{started}'");
            }
        }

        public async Task<PhoneCounts> StopAsync()
        {
            await child.StandardInput.WriteLineAsync("stop");
            await child.StandardInput.FlushAsync();
            string line = await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("phones process ended early");
            await child.WaitForExitAsync();
            child.Dispose();
            string[] parts = line.Split(' ');
            return new PhoneCounts(
                long.Parse(parts[1], CultureInfo.InvariantCulture),
                long.Parse(parts[2], CultureInfo.InvariantCulture),
                long.Parse(parts[3], CultureInfo.InvariantCulture),
                double.Parse(parts[4], CultureInfo.InvariantCulture),
                double.Parse(parts[5], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Share of received frames in which the expected tone dominates.</summary>
    private sealed class ToneCheck(double hz)
    {
        private long _frames;
        private long _matching;

        public double Share => _frames == 0 ? 0 : (double)Interlocked.Read(ref _matching) / Interlocked.Read(ref _frames);

        public void OnFrame(AudioFrame frame)
        {
            Interlocked.Increment(ref _frames);
            if (Goertzel.IsPresent(frame.Samples.Span, hz, minimumRelativePower: 0.8))
            {
                Interlocked.Increment(ref _matching);
            }
        }
    }
}
