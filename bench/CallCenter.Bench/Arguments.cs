using System.CommandLine;

namespace CallCenter.Bench;

/// <summary>The options of the mode being run, as parsed by <see cref="BenchCommandLine"/>.</summary>
internal sealed class Arguments(ParseResult parsed)
{
    public int Int(string name) => parsed.GetValue<int>(Declared(name));

    public double Double(string name) => parsed.GetValue<double>(Declared(name));

    /// <summary>An option whose default depends on others (its description says how); null when not given.</summary>
    public double? OptionalDouble(string name) => parsed.GetValue<double?>(Declared(name));

    /// <summary>A mode reads only what its command declares, so that --help lists every option it takes.</summary>
    private string Declared(string name)
    {
        var option = "--" + name;
        return parsed.CommandResult.Command.Options.Any(o => o.Name == option)
            ? option
            : throw new InvalidOperationException($"'{parsed.CommandResult.Command.Name}' reads {option} but does not declare it");
    }
}

/// <summary>The bench's command line: one subcommand per mode, each with its options and their defaults.</summary>
internal static class BenchCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Benchmarks of CallCenter.Orleans: run one mode; 'CallCenter.Bench <mode> --help' lists its options.")
        {
            Mode("routing", "The full grain path in process (arrive, queue, offer, accept, end, wrap-up) with desks that accept and hang up at once; calls per second and enqueue-to-offer latency.",
                RoutingBench.RunAsync,
                Number("seconds", 20.0, "measured seconds"),
                Number("agents", 200, "agents logged in"),
                Number("concurrency", 10, "callers in flight")),
            Mode("erlang", "An M/M/c queue through the real grains (Poisson arrivals, exponential handle times, time compressed), measured beside Erlang C.",
                ErlangBench.RunAsync,
                Number("agents", 13, "agents"),
                Number("calls-per-interval", 100.0, "offered calls per interval"),
                Number("interval", 1800.0, "interval length, seconds"),
                Number("aht", 180.0, "average handle time, seconds"),
                Number("threshold", 20.0, "service level threshold, seconds"),
                Number("speedup", 100.0, "time compression factor"),
                Number("calls", 3000, "calls to run"),
                Number("seed", 7, "random seed")),
            Mode("media", "RTP bridged both ways through the media engine: packets per second, loss and CPU.",
                MediaBench.RunAsync,
                Number("calls", 100, "concurrent calls"),
                Number("seconds", 10.0, "measured seconds"),
                Number("transcode", 0, "1: the agent side on PCMA (PCMU to PCMA on every packet)"),
                Number("record", 0, "1: record each call"),
                Number("inline", 1, "0: leave socket completions on the thread pool (the .NET default)"),
                Number("separate", 0, "1: the phones in a child process (media-phones), so cpu_pct is the engine alone")),
            Mode("media-phones", "The phones of 'media --separate 1', driven over standard input and output (started by the media mode).",
                MediaBench.RunPhonesAsync,
                Number("calls", 100, "calls"),
                Number("transcode", 0, "1: the agent side on PCMA"),
                Number("inline", 1, "0: leave socket completions on the thread pool"),
                Number("port-base", 30000, "first local port of the phones")),
            Mode("srtp", "SRTP protect and unprotect on one thread (AES_CM_128_HMAC_SHA1_80, or AEAD_AES_128_GCM): packets per second, microseconds and bytes allocated per packet.",
                SrtpBench.RunAsync,
                Number("packets", 300_000, "packets measured in each direction (300 legs at 50 packets/s for 20 s)"),
                Number("payload", 160, "RTP payload bytes (160: 20 ms of PCMU)"),
                Number("legs", 300, "sessions the packets are spread over"),
                Number("gcm", 0, "1: AEAD_AES_128_GCM instead of AES_CM_128_HMAC_SHA1_80")),
            Mode("sip", "SIPp callers -> SIP edge -> queue -> agents' SIPp phones (answer, talk, hang up), and SIPp uac -> uas as a baseline; silo and edge in this process unless --edge-port.",
                SipBench.RunAsync,
                Number("calls", 1000, "calls through the edge (and the baseline)"),
                Number("rate", 100.0, "calls per second"),
                Number("limit", 0, "at most this many calls in flight per caller process (0: SIPp's default)"),
                Number("agents", 300, "agent phones registered"),
                Number("talk-ms", 500, "talk time of each call, milliseconds"),
                Number("phones", 1, "SIPp agent phone processes"),
                Number("callers", 1, "SIPp caller processes sharing the calls and the rate"),
                Number("tcp", 0, "1: SIP over TCP instead of UDP"),
                Number("warmup", 1000, "warm-up calls, not measured"),
                Optional("warmup-rate", "warm-up calls per second (default: the rate, at most 100)"),
                Number("edge-port", 0, "an edge already running on this port instead of one in this process")),
            Mode("agents", "Agent desktops over gRPC on loopback against the agent gateway in this process, with offers flowing.",
                AgentsBench.RunAsync,
                Number("agents", 100, "agent desktops"),
                Number("seconds", 10.0, "measured seconds"),
                Number("talk-ms", 200, "talk time of each call, milliseconds"),
                Optional("rate", "calls created per second (default: agents / 2, between 1 and 100)"),
                Number("queues", 1, "queues"),
                Number("wrapup-s", 0.0, "wrap-up time of the queues, seconds"),
                Number("sessions-per-channel", 50, "desk sessions sharing one gRPC channel"),
                Number("warmup-s", 2.0, "warm-up seconds, not measured"),
                Number("login-concurrency", 32, "desks logging in at once"),
                Number("timeline", 0, "1: print each second's offer latencies beside GC pauses and the thread-pool queue (stderr)")),
        };
        return root;
    }

    private static Command Mode(string name, string description, Func<Arguments, Task> run, params Option[] options) =>
        Mode(name, description, async arguments =>
        {
            await run(arguments);
            return 0;
        }, options);

    private static Command Mode(string name, string description, Func<Arguments, Task<int>> run, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parsed, _) => run(new Arguments(parsed)));
        return command;
    }

    private static Option<int> Number(string name, int fallback, string description) =>
        new("--" + name) { Description = description, DefaultValueFactory = _ => fallback };

    private static Option<double> Number(string name, double fallback, string description) =>
        new("--" + name) { Description = description, DefaultValueFactory = _ => fallback };

    private static Option<double?> Optional(string name, string description) =>
        new("--" + name) { Description = description };
}
