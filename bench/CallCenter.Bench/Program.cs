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
    default:
        Console.Error.WriteLine("usage: CallCenter.Bench routing [--seconds N] [--agents N] [--concurrency N]");
        Console.Error.WriteLine("       CallCenter.Bench media [--calls N] [--seconds S] [--transcode 0|1] [--record 0|1] [--inline 0|1] [--separate 0|1]");
        Console.Error.WriteLine("       CallCenter.Bench sip [--calls N] [--rate R] [--limit L] [--agents M] [--talk-ms T] [--phones P] [--callers C] [--tcp 0|1] [--edge-port E]");
        Console.Error.WriteLine("           SIPp callers -> edge -> queue -> agents' SIPp phones, and a SIPp uac -> uas baseline; in-process silo and edge unless --edge-port");
        Console.Error.WriteLine("       CallCenter.Bench erlang --agents N --calls-per-interval X --interval S --aht S --threshold S --speedup K --calls C");
        return 2;
}
