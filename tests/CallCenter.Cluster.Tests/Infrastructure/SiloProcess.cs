using System.Diagnostics;
using System.Globalization;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// One silo as an operator runs it: <c>dotnet CallCenter.Silo.dll</c> from src/Silo's build output, configured only
/// through environment variables (Redis clustering, its site, free loopback ports). The process started is the silo
/// itself (the dotnet host running the app, no shell in between), so a signal sent to it reaches the silo.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ExternalCommand _process;

    private SiloProcess(ExternalCommand process, string name, string siteId, int httpPort, int siloPort)
    {
        _process = process;
        Name = name;
        SiteId = siteId;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public string SiteId { get; }

    /// <summary>The silo-to-silo port: how Orleans' <c>SiloAddress</c> names this silo.</summary>
    public int SiloPort { get; }

    public HttpClient Http { get; }

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => _process.Output;

    public static SiloProcess Start(string name, string siteId, IReadOnlyDictionary<string, string> environment)
    {
        var directory = SiloBuildDirectory();
        var httpPort = RedisProcess.FreePort();
        var siloPort = RedisProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["CallCenter__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__GatewayPort"] = RedisProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Gateway__Port"] = RedisProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Sip__Enabled"] = "false",
            ["CallCenter__SiteId"] = siteId,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        var process = ExternalCommand.Start("dotnet", [Path.Combine(directory, "CallCenter.Silo.dll")], directory, settings);
        return new SiloProcess(process, name, siteId, httpPort, siloPort);
    }

    /// <summary>Waits until /health/ready answers 200; fails with the process output if it exits or never gets ready.</summary>
    public Task WaitUntilReadyAsync() => Eventually.HoldsAsync(
        async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                return (await Http.GetAsync("/health/ready")).IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        },
        $"silo {Name} ready",
        seconds: 90);

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

    /// <summary>Waits for the process to end by itself; returns its exit code (past <paramref name="limit"/> it is killed and this throws).</summary>
    public Task<int> WaitForExitAsync(TimeSpan limit) => _process.WaitAsync(limit);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    /// <summary>src/Silo's build output in the configuration the tests were built in (Debug or Release).</summary>
    private static string SiloBuildDirectory()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testDirectory.Parent!.Name;
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CallCenter.Orleans.sln")))
        {
            root = root.Parent;
        }

        var directory = Path.Combine(root?.FullName ?? throw new DirectoryNotFoundException("CallCenter.Orleans.sln not found above the tests"), "src", "Silo", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(directory, "CallCenter.Silo.dll"))
            ? directory
            : throw new FileNotFoundException($"src/Silo is not built in {directory}");
    }
}
