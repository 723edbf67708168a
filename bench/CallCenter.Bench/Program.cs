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
    case "agents": return await AgentsBench.RunAsync(arguments);
    default:
        Console.Error.WriteLine("usage: CallCenter.Bench routing [--seconds N] [--agents N] [--concurrency N]");
        Console.Error.WriteLine("       CallCenter.Bench media [--calls N] [--seconds S] [--transcode 0|1] [--record 0|1] [--inline 0|1] [--separate 0|1]");
        Console.Error.WriteLine("       CallCenter.Bench sip [--calls N] [--rate R] [--limit L] [--edge-port P --agents M --talk-ms T --tcp 0|1]");
        Console.Error.WriteLine("       CallCenter.Bench agents [--agents N] [--seconds S] [--talk-ms T] [--rate R] [--queues Q] [--wrapup-s W] [--sessions-per-channel K] [--warmup-s U]");
        Console.Error.WriteLine("       CallCenter.Bench erlang --agents N --calls-per-interval X --interval S --aht S --threshold S --speedup K --calls C");
        return 2;
}
