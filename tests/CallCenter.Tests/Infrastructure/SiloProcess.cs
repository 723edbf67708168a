using System.Diagnostics;

namespace CallCenter.Tests.Infrastructure;

/// <summary>
/// The silo as an operator runs it (<c>dotnet CallCenter.Silo.dll</c>, the build of <c>dotnet run --project src/Silo</c>),
/// on free loopback ports, with extra environment settings; its output is kept for the test to read.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ExternalCommand _process;

    private SiloProcess(ExternalCommand process, int httpPort, int gatewayPort)
    {
        _process = process;
        HttpPort = httpPort;
        GatewayPort = gatewayPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    /// <summary>The Orleans gateway clients (such as a separate SIP edge) connect to.</summary>
    public int GatewayPort { get; }

    public HttpClient Http { get; }

    /// <summary>The agent gateway's gRPC port (HTTP/2).</summary>
    public int AgentGatewayPort { get; private init; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public static SiloProcess Start(IDictionary<string, string>? environment = null)
    {
        var siloDirectory = SiloBuildDirectory();
        var httpPort = RedisServer.FreePort();
        var gatewayPort = RedisServer.FreePort();
        var agentGatewayPort = RedisServer.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["CallCenter__SiloPort"] = RedisServer.FreePort().ToString(),
            ["CallCenter__GatewayPort"] = gatewayPort.ToString(),
            ["CallCenter__Sip__Port"] = "0",
            ["CallCenter__Gateway__Port"] = agentGatewayPort.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var process = ExternalCommand.Start("dotnet", [Path.Combine(siloDirectory, "CallCenter.Silo.dll")], siloDirectory, settings);
        return new SiloProcess(process, httpPort, gatewayPort) { AgentGatewayPort = agentGatewayPort };
    }

    /// <summary>Waits until /health/ready answers 200; fails with the process output if it exits or never gets ready.</summary>
    public async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(60);
        while (deadline.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                if ((await Http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the silo was not ready within 60 s:\n{Output}");
    }

    /// <summary>Waits for the process to exit by itself (a start-up failure); returns its exit code.</summary>
    public Task<int> WaitForExitAsync() => _process.WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    /// <summary>The silo project's own build output, in the configuration the tests were built in.</summary>
    private static string SiloBuildDirectory() => BuildDirectory("Silo", "CallCenter.Silo.dll");

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
}
