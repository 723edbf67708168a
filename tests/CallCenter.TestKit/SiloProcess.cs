using System.Diagnostics;
using System.Globalization;

namespace CallCenter.TestKit;

/// <summary>How to run a <see cref="SiloProcess"/>.</summary>
public sealed record SiloProcessOptions
{
    /// <summary>A name for logs and failure messages.</summary>
    public string Name { get; init; } = "silo";

    /// <summary>The silo's site (CallCenter__SiteId), or null for the silo's default.</summary>
    public string? SiteId { get; init; }

    /// <summary>Settings as environment variables; they override the defaults (ports, log levels).</summary>
    public IEnumerable<KeyValuePair<string, string>>? Environment { get; init; }

    /// <summary>The bound on each HTTP request the test makes to the silo.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The bound on start-up (until /health/ready answers 200).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The silo as an operator runs it: <c>dotnet CallCenter.Silo.dll</c> from src/Silo's build output (the build of
/// <c>dotnet run --project src/Silo</c>), configured only through environment variables, on loopback ports this test
/// process owns (<see cref="PortAllocator"/>). The process started is the silo itself (the dotnet host running the app,
/// no shell in between), so a signal sent to it reaches the silo. Its output is kept for the test to read. If it cannot
/// bind a port (something outside the tests took it), <see cref="WaitUntilReadyAsync"/> starts it again on new ports.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly SiloProcessOptions _options;
    private ExternalCommand _process = null!;

    private SiloProcess(SiloProcessOptions options)
    {
        _options = options;
        Launch();
    }

    public string Name => _options.Name;

    public string? SiteId => _options.SiteId;

    public int HttpPort { get; private set; }

    /// <summary>The silo-to-silo port: how Orleans' <c>SiloAddress</c> names this silo.</summary>
    public int SiloPort { get; private set; }

    /// <summary>The Orleans gateway clients (such as a separate SIP edge) connect to.</summary>
    public int GatewayPort { get; private set; }

    /// <summary>The agent gateway's gRPC port (HTTP/2).</summary>
    public int AgentGatewayPort { get; private set; }

    public HttpClient Http { get; private set; } = null!;

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => _process.Output;

    /// <summary>Starts a silo with these settings on top of the defaults.</summary>
    public static SiloProcess Start(IEnumerable<KeyValuePair<string, string>>? environment = null) =>
        Start(new SiloProcessOptions { Environment = environment });

    public static SiloProcess Start(SiloProcessOptions options) => new(options);

    /// <summary>
    /// Waits until /health/ready answers 200; fails with the process output if it exits or never gets ready. A silo that
    /// exits because a port was taken is started again on new ports (the port properties then change).
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Eventually.HoldsAsync(
                    IsReadyAsync,
                    $"silo {Name} ready",
                    seconds: (int)_options.ReadyTimeout.TotalSeconds,
                    detail: () => Output,
                    pollEvery: TimeSpan.FromMilliseconds(100));
                return;
            }
            catch (PortTakenException) when (attempt < StartAttempts)
            {
                await StopAsync();
                Launch();
            }
        }
    }

    /// <summary>SIGKILL: the silo dies at once, as on a node crash or an OOM kill; nothing of it runs any more.</summary>
    public async Task KillAsync()
    {
        // The signal must reach the silo itself, not a launcher around it: the process is the dotnet host running the app.
        var commandLine = await File.ReadAllTextAsync($"/proc/{ProcessId}/cmdline");
        if (!commandLine.Contains("CallCenter.Silo.dll", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"process {ProcessId} is not the silo: {commandLine.Replace('\0', ' ')}");
        }

        Signal("KILL");
        await _process.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, what Kubernetes sends a pod it scales in or drains: the host shuts the silo down gracefully.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Waits for the process to exit by itself (a start-up failure); returns its exit code.</summary>
    public Task<int> WaitForExitAsync() => WaitForExitAsync(TimeSpan.FromSeconds(60));

    /// <summary>Waits for the process to end by itself; returns its exit code (past <paramref name="limit"/> it is killed and this throws).</summary>
    public Task<int> WaitForExitAsync(TimeSpan limit) => _process.WaitAsync(limit);

    public ValueTask DisposeAsync() => StopAsync();

    /// <summary>Where <c>src/&lt;project&gt;</c> was built in the tests' configuration (Debug or Release).</summary>
    public static string BuildDirectory(string project, string assembly)
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testDirectory.Parent!.Name;
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CallCenter.Orleans.sln")))
        {
            root = root.Parent;
        }

        var directory = Path.Combine(root?.FullName ?? throw new DirectoryNotFoundException("CallCenter.Orleans.sln not found above the tests"), "src", project, "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(directory, assembly))
            ? directory
            : throw new FileNotFoundException($"src/{project} is not built in {directory}");
    }

    private void Launch()
    {
        var directory = BuildDirectory("Silo", "CallCenter.Silo.dll");
        HttpPort = PortAllocator.Next();
        SiloPort = PortAllocator.Next();
        GatewayPort = PortAllocator.Next();
        AgentGatewayPort = PortAllocator.Next();
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{HttpPort}",
            ["CallCenter__SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Gateway__Port"] = AgentGatewayPort.ToString(CultureInfo.InvariantCulture),
            // The SIP listener binds a port of the kernel's choosing itself: nothing to hand over, nothing to race.
            ["CallCenter__Sip__Port"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        if (_options.SiteId is { } siteId)
        {
            settings["CallCenter__SiteId"] = siteId;
        }

        foreach (var (key, value) in _options.Environment ?? [])
        {
            settings[key] = value;
        }

        _process = ExternalCommand.Start("dotnet", [Path.Combine(directory, "CallCenter.Silo.dll")], directory, settings);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = _options.HttpTimeout };
    }

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            // Drain the last lines before reading why.
            var exitCode = await _process.WaitAsync(TimeSpan.FromSeconds(10));
            throw PortAllocator.IsBindFailure(Output)
                ? new PortTakenException($"silo {Name} could not bind a port:\n{Output}")
                : new InvalidOperationException($"silo {Name} exited with {exitCode} before it was ready:\n{Output}");
        }

        try
        {
            return (await Http.GetAsync("/health/ready")).IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async ValueTask StopAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", ProcessId.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {ProcessId} failed with {kill.ExitCode}");
        }
    }
}
