using CallCenter.Bench;

var mode = args.FirstOrDefault();
var arguments = new Arguments(args.Skip(1).ToList());
switch (mode)
{
    case "routing":
        await RoutingBench.RunAsync(arguments);
        return 0;
    case "erlang":
        await ErlangBench.RunAsync(arguments);
        return 0;
    case "media":
        await MediaBench.RunAsync(arguments);
        return 0;
    case "media-phones":
        await MediaBench.RunPhonesAsync(arguments);
        return 0;
    case "sip":
        return await SipBench.RunAsync(arguments);
    case "agents":
        return await AgentsBench.RunAsync(arguments);
    default:
        Console.Error.WriteLine("usage: CallCenter.Bench routing [--seconds N] [--agents N] [--concurrency N]");
        Console.Error.WriteLine("       CallCenter.Bench media [--calls N] [--seconds S] [--transcode 0|1] [--record 0|1] [--inline 0|1] [--separate 0|1]");
        Console.Error.WriteLine("       CallCenter.Bench sip [--calls N] [--rate R] [--limit L] [--agents M] [--talk-ms T] [--phones P] [--callers C] [--tcp 0|1] [--warmup W] [--warmup-rate WR] [--edge-port E]");
        Console.Error.WriteLine("           SIPp callers -> SIP edge -> queue -> agents' SIPp phones (answer, talk T ms, hang up), and SIPp uac -> uas as a baseline;");
        Console.Error.WriteLine("           silo and edge in this process unless --edge-port (defaults: N 1000, R 100, M 300, T 500, P 1, C 1, UDP, W 1000, WR min(R, 100))");
        Console.Error.WriteLine("       CallCenter.Bench agents [--agents N] [--seconds S] [--talk-ms T] [--rate R] [--queues Q] [--wrapup-s W] [--sessions-per-channel K] [--warmup-s U]");
        Console.Error.WriteLine("       CallCenter.Bench erlang --agents N --calls-per-interval X --interval S --aht S --threshold S --speedup K --calls C");
        return 2;
}
