using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// One <c>/usr/bin/sipp</c> (Debian package sip-tester, SIPp 3.6.1) running a scenario of <c>tests/sipp</c> in the
/// foreground with no terminal (<c>-nostdin</c>, stdin closed), in <c>tests/sipp</c> as working folder (the scenarios'
/// media paths are relative), with its statistics, error log and final screen in a temporary folder. Await
/// <see cref="WaitForExitAsync"/>; dispose kills it if it still runs and deletes the folder.
/// </summary>
public sealed class SippProcess : IAsyncDisposable
{
    public const string Executable = "/usr/bin/sipp";

    private static readonly TimeSpan KillMargin = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly OutputTail _output = new();
    private readonly Stopwatch _clock;
    private SippResult? _result;

    private SippProcess(SippOptions options, Process process, string directory, int localPort, int mediaPort, Stopwatch clock)
    {
        Options = options;
        _process = process;
        Directory = directory;
        LocalPort = localPort;
        MediaPort = mediaPort;
        _clock = clock;
    }

    public SippOptions Options { get; }

    /// <summary>The SIP port SIPp listens on (and sends from).</summary>
    public int LocalPort { get; }

    /// <summary>The media base port (<c>-mp</c>).</summary>
    public int MediaPort { get; }

    public IPEndPoint LocalEndPoint => new(IPAddress.Loopback, LocalPort);

    /// <summary>The run's folder: <c>stats.csv</c>, <c>errors.log</c>, <c>screen.log</c>, <c>actions.log</c> (and <c>messages.log</c>).</summary>
    public string Directory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts SIPp; throws when it is not installed.</summary>
    public static SippProcess Start(SippOptions options)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install the Debian package sip-tester (apt-get install sip-tester)");
        }

        var scenario = PeerFiles.Scenario(options.Scenario);
        var localPort = options.LocalPort != 0 ? options.LocalPort : PortAllocator.Next();
        var mediaPort = options.MediaPort != 0 ? options.MediaPort : PortAllocator.Next(4);
        var directory = System.IO.Directory.CreateTempSubdirectory("sipp-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = PeerFiles.SippDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(options, scenario, localPort, mediaPort, directory))
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        var sipp = new SippProcess(options, process, directory, localPort, mediaPort, clock);
        process.OutputDataReceived += (_, line) => sipp._output.AppendLine(line.Data);
        process.ErrorDataReceived += (_, line) => sipp._output.AppendLine(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return sipp;
    }

    /// <summary>Starts SIPp and awaits its end (bounded by <see cref="SippOptions.Timeout"/>).</summary>
    public static async Task<SippResult> RunAsync(SippOptions options, CancellationToken cancellationToken = default)
    {
        await using var sipp = Start(options);
        return await sipp.WaitForExitAsync(cancellationToken);
    }

    /// <summary>The SIPp command line, for logs and for running it by hand.</summary>
    public string CommandLine => $"cd {PeerFiles.SippDirectory} && {Executable} {string.Join(' ', _process.StartInfo.ArgumentList.Select(Quote))}";

    /// <summary>Waits until SIPp holds its SIP port (a server is then ready for calls), or fails if it exits first.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = Stopwatch.StartNew();
        while (!(Options.Transport == SipTransport.Tcp ? PortAllocator.IsTcpBound(LocalPort) : PortAllocator.IsUdpBound(LocalPort)))
        {
            if (_process.HasExited)
            {
                var result = await WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException($"sipp exited before listening on {LocalPort}: {result.Describe()}");
            }

            if (limit.Elapsed > (timeout ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"sipp does not listen on {Options.Transport} {LocalPort} after {limit.Elapsed.TotalSeconds:F1} s: {_output}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Awaits SIPp's exit, at most <see cref="SippOptions.Timeout"/> plus 10 s (SIPp stops by itself at the timeout),
    /// killing the process tree past that; then reads the statistics and logs.
    /// </summary>
    public async Task<SippResult> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        if (_result is not null)
        {
            return _result;
        }

        var timedOut = false;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(Options.Timeout + KillMargin);
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
                Kill();
            }
        }

        _process.WaitForExit();
        _result = ReadResult(timedOut);
        return _result;
    }

    /// <summary>
    /// Asks SIPp to stop as after the <c>q</c> key (SIGUSR1): no new calls, the open ones finish. For a server
    /// scenario run without <c>-m</c>.
    /// </summary>
    public void StopGracefully()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-USR1", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
    }

    /// <summary>Writes an injection file for <see cref="SippScenarios.AgentRegister"/>: <c>user;[authentication ...]</c> lines.</summary>
    public static string WriteAgentsFile(string directory, IEnumerable<(string User, string Password)> agents)
    {
        var path = Path.Combine(directory, $"agents-{Guid.NewGuid():N}.csv");
        var lines = new List<string> { "SEQUENTIAL" };
        lines.AddRange(agents.Select(agent => $"{agent.User};[authentication username={agent.User} password={agent.Password}]"));
        File.WriteAllLines(path, lines);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A log still being flushed: the temporary folder is left behind.
        }
    }

    private static IEnumerable<string> Arguments(SippOptions options, string scenario, int localPort, int mediaPort, string directory)
    {
        if (options.Remote is { } remote)
        {
            yield return $"{remote.Address}:{remote.Port}";
        }

        string[] fixedArguments =
        [
            "-sf", scenario,
            "-i", "127.0.0.1",
            "-mi", "127.0.0.1",
            "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-mp", mediaPort.ToString(CultureInfo.InvariantCulture),
            "-t", options.Transport.ToSippMode(),
            "-nostdin",
            "-timeout", $"{Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds))}s",
            "-timeout_error",
            "-trace_stat", "-stf", Path.Combine(directory, "stats.csv"),
            "-trace_err", "-error_file", Path.Combine(directory, "errors.log"),
            "-trace_screen", "-screen_file", Path.Combine(directory, "screen.log"),
            "-trace_logs", "-log_file", Path.Combine(directory, "actions.log"),
        ];
        foreach (var argument in fixedArguments)
        {
            yield return argument;
        }

        if (options.TraceMessages)
        {
            yield return "-trace_msg";
            yield return "-message_file";
            yield return Path.Combine(directory, "messages.log");
        }

        foreach (var (name, value) in Optional(options))
        {
            yield return name;
            if (value is not null)
            {
                yield return value;
            }
        }

        foreach (var (name, value) in options.Variables)
        {
            yield return "-set";
            yield return name;
            yield return value;
        }

        foreach (var argument in options.ExtraArguments)
        {
            yield return argument;
        }
    }

    private static IEnumerable<(string Name, string? Value)> Optional(SippOptions options)
    {
        if (options.Service is { } service)
        {
            yield return ("-s", service);
        }

        if (options.Calls is { } calls)
        {
            yield return ("-m", calls.ToString(CultureInfo.InvariantCulture));
        }

        if (options.Rate is { } rate)
        {
            yield return ("-r", rate.ToString(CultureInfo.InvariantCulture));
        }

        if (options.Limit is { } limit)
        {
            yield return ("-l", limit.ToString(CultureInfo.InvariantCulture));
        }

        if (options.ReceiveTimeout is { } receiveTimeout)
        {
            yield return ("-recv_timeout", ((long)receiveTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        if (options.AuthUser is { } user)
        {
            yield return ("-au", user);
        }

        if (options.AuthPassword is { } password)
        {
            yield return ("-ap", password);
        }

        if (options.InjectionFile is { } injection)
        {
            yield return ("-inf", injection);
        }

        if (options.AutoAnswer)
        {
            yield return ("-aa", null);
        }

        if (options.IgnoreMessagesDuringPauses)
        {
            yield return ("-pause_msg_ign", null);
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private SippResult ReadResult(bool timedOut)
    {
        var (successful, failed, counters) = SippStatistics.ReadFinal(Path.Combine(Directory, "stats.csv"));
        return new SippResult
        {
            Scenario = Options.Scenario,
            ExitCode = _process.ExitCode,
            TimedOut = timedOut,
            Elapsed = _clock.Elapsed,
            SuccessfulCalls = successful,
            FailedCalls = failed,
            FailureCounters = counters,
            ErrorLog = ReadStart(Path.Combine(Directory, "errors.log"), 16 * 1024),
            Screen = ReadStart(Path.Combine(Directory, "screen.log"), 32 * 1024),
            Output = _output.ToString(),
            Directory = Directory,
        };
    }

    private static string ReadStart(string path, int characters)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        var text = File.ReadAllText(path);
        return text.Length > characters ? text[..characters] + "..." : text;
    }

    private static string Quote(string argument) => argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@".Contains(c))
        ? argument
        : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
