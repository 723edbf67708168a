using System.Diagnostics;
using System.Net;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.Bench;

/// <summary>
/// <c>media [--calls N] [--seconds S] [--transcode 0|1] [--record 0|1] [--inline 0|1]</c>: N bridged calls on loopback. Each call has a
/// caller leg and an agent leg (RtpEndpoints on the "PBX" clock) joined by a MediaBridge, and two phones (RtpEndpoints on
/// their own clock) that send a tone at 50 packets/s each way: 1 kHz from the caller phone, 2 kHz from the agent phone.
/// Loss counts every packet the phones sent against what the far phone received, after the phones stop and the last
/// packets drain. CPU is the whole process (the phones included) over the measured S seconds after a 1 s warm-up.
/// With --transcode 1 the agent legs use PCMA (PCMU↔PCMA on every packet); with --record 1 each call is recorded;
/// --inline 0 leaves socket completions on the thread pool (the .NET default) instead of the epoll threads.
/// </summary>
internal static class MediaBench
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task RunAsync(Arguments arguments)
    {
        int calls = arguments.Int("calls", 100);
        double seconds = arguments.Double("seconds", 10);
        bool transcode = arguments.Int("transcode", 0) != 0;
        bool record = arguments.Int("record", 0) != 0;

        // .NET runs socket completions on the thread pool unless this is set before the first socket operation; running
        // them on the epoll threads saves a thread-pool hop per packet (see the media notes on deployment).
        bool inline = arguments.Int("inline", 1) != 0;
        if (inline && Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }

        int span = (4 * calls) + 200;
        var pbxPool = new RtpPortPool(IPAddress.Loopback, 16000, 16000 + span);
        var phonePool = new RtpPortPool(IPAddress.Loopback, 16000 + span + 2, 16000 + (2 * span) + 2);
        string recordings = Path.Combine(Path.GetTempPath(), $"media-bench-{Environment.ProcessId}");
        if (record)
        {
            Directory.CreateDirectory(recordings);
        }

        await using var pbxClock = new MediaClock(TimeProvider.System);
        await using var phoneClock = new MediaClock(TimeProvider.System);
        var callerLegs = new RtpEndpoint[calls];
        var agentLegs = new RtpEndpoint[calls];
        var callerPhones = new RtpEndpoint[calls];
        var agentPhones = new RtpEndpoint[calls];
        var bridges = new MediaBridge[calls];
        var recorders = new List<CallRecorder>();
        for (int i = 0; i < calls; i++)
        {
            callerLegs[i] = RtpEndpoint.Open(pbxPool, pbxClock);
            agentLegs[i] = RtpEndpoint.Open(pbxPool, pbxClock);
            callerPhones[i] = RtpEndpoint.Open(phonePool, phoneClock);
            agentPhones[i] = RtpEndpoint.Open(phonePool, phoneClock);
            AudioCodec agentCodec = transcode ? AudioCodec.Pcma : AudioCodec.Pcmu;
            agentLegs[i].Codec = agentCodec;
            agentPhones[i].Codec = agentCodec;
            callerLegs[i].SetRemote(callerPhones[i].LocalEndPoint);
            callerPhones[i].SetRemote(callerLegs[i].LocalEndPoint);
            agentLegs[i].SetRemote(agentPhones[i].LocalEndPoint);
            agentPhones[i].SetRemote(agentLegs[i].LocalEndPoint);
            bridges[i] = new MediaBridge(callerLegs[i], agentLegs[i]);
            if (record)
            {
                var recorder = new CallRecorder(Path.Combine(recordings, $"call-{i}.wav"), pbxClock);
                bridges[i].Attach(recorder);
                recorders.Add(recorder);
            }
        }

        // The far ends of call 0 check what they hear: the agent phone the caller's 1 kHz, the caller phone the agent's 2 kHz.
        var agentHears = new ToneCheck(1000);
        var callerHears = new ToneCheck(2000);
        agentPhones[0].AudioReceived += agentHears.OnFrame;
        callerPhones[0].AudioReceived += callerHears.OnFrame;

        // One second of each tone is a whole number of periods, so the loops are seamless and cost no trigonometry.
        short[] callerTone = ToneGenerator.Sine(1000, 8000);
        short[] agentTone = ToneGenerator.Sine(2000, 8000);
        for (int i = 0; i < calls; i++)
        {
            callerPhones[i].Play(MediaSources.Loop(callerTone));
            agentPhones[i].Play(MediaSources.Loop(agentTone));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        using Process process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuStart = process.TotalProcessorTime;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        long relayedStart = bridges.Sum(bridge => bridge.RelayedPackets);
        int gen0Start = GC.CollectionCount(0);
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        double elapsed = wall.Elapsed.TotalSeconds;
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        long relayedInWindow = bridges.Sum(bridge => bridge.RelayedPackets) - relayedStart;
        int gen0 = GC.CollectionCount(0) - gen0Start;

        foreach (RtpEndpoint phone in callerPhones.Concat(agentPhones))
        {
            phone.Play(null);
        }

        // Let the last packets through the bridges before counting.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        long sent = callerPhones.Concat(agentPhones).Sum(phone => phone.PacketsSent);
        long received = callerPhones.Concat(agentPhones).Sum(phone => phone.PacketsReceived);
        long relayed = bridges.Sum(bridge => bridge.RelayedPackets);
        double lossPct = sent == 0 ? 100 : 100.0 * (sent - received) / sent;
        double cpuPct = 100.0 * cpu.TotalSeconds / elapsed / Environment.ProcessorCount;

        Console.WriteLine($"bridged_calls {calls}");
        Console.WriteLine($"rtp_loss_pct {lossPct:F4}");
        Console.WriteLine($"cpu_pct {cpuPct:F1}");
        Console.WriteLine($"relayed_packets {relayed}");
        Console.WriteLine($"packets_sent {sent}");
        Console.WriteLine($"packets_received {received}");
        Console.WriteLine($"relayed_per_s {relayedInWindow / elapsed:F0}");
        Console.WriteLine($"allocated_bytes_per_relayed_packet {(relayedInWindow == 0 ? 0 : (double)allocated / relayedInWindow):F1}");
        Console.WriteLine($"gen0_collections {gen0}");
        Console.WriteLine($"clock_skipped_ticks pbx={pbxClock.SkippedTicks} phones={phoneClock.SkippedTicks}");
        Console.WriteLine($"tone_check_call0 agent_hears_1khz={agentHears.Share:P1} caller_hears_2khz={callerHears.Share:P1}");
        Console.WriteLine($"cores {Environment.ProcessorCount}");
        Console.WriteLine($"transcode {(transcode ? 1 : 0)}");
        Console.WriteLine($"record {(record ? 1 : 0)}");
        Console.WriteLine($"inline_completions {Environment.GetEnvironmentVariable(InlineCompletions) ?? "0"}");

        foreach (CallRecorder recorder in recorders)
        {
            await recorder.StopAsync();
        }

        foreach (MediaBridge bridge in bridges)
        {
            bridge.Dispose();
        }

        foreach (RtpEndpoint endpoint in callerLegs.Concat(agentLegs).Concat(callerPhones).Concat(agentPhones))
        {
            await endpoint.DisposeAsync();
        }

        if (record)
        {
            Directory.Delete(recordings, recursive: true);
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
