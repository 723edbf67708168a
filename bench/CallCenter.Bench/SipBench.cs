using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CallCenter.Bench;

/// <summary>
/// <c>sip [--calls N] [--rate R] [--limit L] [--edge-port P --agents M --talk-ms T --tcp 0|1]</c>: SIP call throughput
/// with real SIPp peers (Debian package sip-tester) on 127.0.0.1, scenarios from tests/sipp.
/// <list type="bullet">
/// <item><c>baseline_cps</c>: SIPp's uac-baseline against SIPp's uas-baseline, no edge: N calls at R per second, calls
/// completed over the wall time from the client's start to its exit. What the machine does without the edge.</item>
/// <item><c>calls</c>, <c>failed_calls</c>, <c>cps</c>: the same through the edge at 127.0.0.1:P (<see cref="RunEdgeAsync"/>):
/// M SIPp agent phones register (digest) and answer, callers call and wait for the edge's BYE, agents hang up after
/// T ms. <c>n/a</c> without <c>--edge-port</c> (the edge does not exist yet).</item>
/// </list>
/// </summary>
internal static class SipBench
{
    private const string Sipp = "/usr/bin/sipp";

    public static async Task<int> RunAsync(Arguments arguments)
    {
        var calls = arguments.Int("calls", 1000);
        var rate = arguments.Double("rate", 100);
        var limit = arguments.Int("limit", 0);
        var edgePort = arguments.Int("edge-port", 0);
        var agents = arguments.Int("agents", 20);
        var talk = TimeSpan.FromMilliseconds(arguments.Int("talk-ms", 1000));
        var transport = arguments.Int("tcp", 0) != 0 ? "t1" : "u1";
        if (!File.Exists(Sipp))
        {
            Console.Error.WriteLine($"{Sipp} is missing: apt-get install sip-tester");
            return 2;
        }

        var scenarios = ScenarioDirectory();
        var baseline = await RunBaselineAsync(scenarios, calls, rate, limit, transport);
        Figures? edge = edgePort == 0
            ? null
            : await RunEdgeAsync(scenarios, new IPEndPoint(IPAddress.Loopback, edgePort), calls, rate, limit, agents, talk, transport);

        Console.WriteLine($"calls: {calls}");
        Console.WriteLine($"rate: {rate.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine($"transport: {(transport == "t1" ? "tcp" : "udp")}");
        Console.WriteLine($"failed_calls: {(edge is null ? "n/a" : edge.Failed.ToString(CultureInfo.InvariantCulture))}");
        Console.WriteLine($"cps: {(edge is null ? "n/a" : edge.Cps.ToString("F1", CultureInfo.InvariantCulture))}");
        Console.WriteLine($"baseline_cps: {baseline.Cps.ToString("F1", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"baseline_failed_calls: {baseline.Failed}");
        Console.WriteLine($"baseline_seconds: {baseline.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)}");
        if (edge is not null)
        {
            Console.WriteLine($"edge_seconds: {edge.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"agents: {agents}");
        }

        return baseline.Failed == 0 && (edge is null || edge.Failed == 0) ? 0 : 1;
    }

    /// <summary>SIPp uac-baseline → uas-baseline on loopback: calls completed per second of the client's wall time.</summary>
    private static async Task<Figures> RunBaselineAsync(string scenarios, int calls, double rate, int limit, string transport)
    {
        var timeout = Timeout(calls, rate);
        var uasPort = FreePort();
        await using var uas = Run(scenarios, "uas-baseline.xml", null, uasPort, transport, timeout, ["-m", Invariant(calls)]);
        await uas.WaitUntilListeningAsync(transport);
        var client = new List<string> { "-m", Invariant(calls), "-r", Invariant(rate) };
        if (limit > 0)
        {
            client.AddRange(["-l", Invariant(limit)]);
        }

        await using var uac = Run(scenarios, "uac-baseline.xml", uas.Endpoint, FreePort(), transport, timeout, client);
        var result = await uac.WaitAsync();
        await uas.WaitAsync();
        return result;
    }

    /// <summary>
    /// The edge part: <paramref name="agents"/> SIPp agent phones (one agent-phone.xml server for all) register with the
    /// edge at <paramref name="edge"/> (agent-register.xml, users agent1..agentM, password "secret"), then
    /// caller-waits-for-bye.xml places <paramref name="calls"/> calls at <paramref name="rate"/> per second; the phones
    /// answer and hang up after <paramref name="talk"/>; the edge must then end each caller's call. Figures are the
    /// callers': completed calls per second of their wall time.
    /// </summary>
    private static async Task<Figures> RunEdgeAsync(string scenarios, IPEndPoint edge, int calls, double rate, int limit, int agents, TimeSpan talk, string transport)
    {
        var timeout = Timeout(calls, rate) + talk * 2;
        var phonePort = FreePort();
        await using var phones = Run(scenarios, "agent-phone.xml", null, phonePort, transport, timeout,
            ["-set", "bye_after_ms", Invariant((int)talk.TotalMilliseconds)]);
        await phones.WaitUntilListeningAsync(transport);

        var agentsFile = Path.Combine(Path.GetTempPath(), $"bench-agents-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(agentsFile, ["SEQUENTIAL", .. Enumerable.Range(1, agents).Select(i => $"agent{i};[authentication username=agent{i} password=secret]")]);
        try
        {
            await using var register = Run(scenarios, "agent-register.xml", edge, FreePort(), transport, TimeSpan.FromSeconds(60),
                ["-inf", agentsFile, "-m", Invariant(agents), "-r", "50", "-set", "phone_port", Invariant(phonePort)]);
            var registered = await register.WaitAsync();
            if (registered.Failed > 0 || registered.Successful < agents)
            {
                Console.Error.WriteLine($"agent registration: {registered.Successful} of {agents} succeeded:\n{register.Errors()}");
            }

            var callers = new List<string>
            {
                "-s", "5000", "-m", Invariant(calls), "-r", Invariant(rate),
                "-recv_timeout", Invariant((int)(talk.TotalMilliseconds + 60_000)),
            };
            if (limit > 0)
            {
                callers.AddRange(["-l", Invariant(limit)]);
            }

            await using var caller = Run(scenarios, "caller-waits-for-bye.xml", edge, FreePort(), transport, timeout, callers);
            var result = await caller.WaitAsync();
            phones.StopGracefully();
            await phones.WaitAsync();
            if (result.Failed > 0)
            {
                Console.Error.WriteLine(caller.Errors());
            }

            return result;
        }
        finally
        {
            File.Delete(agentsFile);
        }
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
            "-max_socket", "60000",
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

    private static int FreePort()
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

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Figures(long Successful, long Failed, TimeSpan Elapsed)
    {
        public double Cps => Elapsed.TotalSeconds > 0 ? Successful / Elapsed.TotalSeconds : 0;
    }

    private sealed class SippRun(Process process, Stopwatch clock, string directory, int port, TimeSpan limit) : IAsyncDisposable
    {
        private Figures? _figures;

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

        public string Errors()
        {
            var path = Path.Combine(directory, "errors.log");
            if (!File.Exists(path))
            {
                return string.Empty;
            }

            var text = File.ReadAllText(path);
            return text.Length > 4000 ? text[..4000] + "..." : text;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            Directory.Delete(directory, recursive: true);
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
