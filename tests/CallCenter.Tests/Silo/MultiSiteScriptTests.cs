using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace CallCenter.Tests.Silo;

/// <summary>
/// <c>scripts/multisite.sh</c> as a newcomer runs it, on ports and in a state folder of the test's own: Redis, three
/// silos of two sites clustered through it and one SIP edge per site, a SIPp call through the manchester edge answered
/// by a SIPp agent phone registered there, and <c>stop</c> ending every process.
/// </summary>
public sealed class MultiSiteScriptTests
{
    private const int OrleansActive = 3;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan SippTimeout = TimeSpan.FromSeconds(100);
    private static readonly string[] Silos = ["silo-london-1", "silo-london-2", "silo-manchester-1"];
    private static readonly string[] Processes = ["redis", .. Silos, "edge-london", "edge-manchester"];

    [Fact]
    public async Task MultiSiteScript_StartsTwoSites_AManchesterCallIsAnsweredByAManchesterPhone_AndStopEndsEveryProcess()
    {
        var ports = MultiSitePorts.Free();
        var state = Directory.CreateTempSubdirectory("multisite-").FullName;
        try
        {
            var started = await RunScriptAsync(ports, state, "start", "--detach", "--no-build");
            Assert.True(started.ExitCode == 0, $"multisite.sh start exited with {started.ExitCode}:\n{started.Output}");
            var pids = Processes.ToDictionary(name => name, name => int.Parse(File.ReadAllText(Path.Combine(state, "run", name + ".pid")), CultureInfo.InvariantCulture));
            Assert.All(pids, process => Assert.True(IsRunning(process.Value), $"{process.Key} (pid {process.Value}) runs after start:\n{started.Output}"));

            // Two silos say london and one manchester; the edges carry their own site's calls.
            Assert.Equal(new[] { "london", "london", "manchester" }, Silos.Select(silo => EnvironmentOf(pids[silo])["CallCenter__SiteId"]));
            Assert.Equal("london", EnvironmentOf(pids["edge-london"])["CallCenter__Sip__SiteId"]);
            Assert.Equal("manchester", EnvironmentOf(pids["edge-manchester"])["CallCenter__Sip__SiteId"]);

            // Every silo is Active in the Redis membership, with the silo port the script gave it; Redis keeps an AOF.
            Assert.Equal(Silos.Select((_, n) => ports.SiloPort(n)).Order(), await ActiveSiloPortsAsync(ports.Redis));
            Assert.True(Directory.Exists(Path.Combine(state, "redis", "appendonlydir")), "Redis writes its append-only file under the state folder");

            // Each edge is a working client of the cluster: a phone registered through it is known to the agent grain,
            // read back through a silo of the other site.
            using var london = Http(ports.Http(0));
            using var manchester = Http(ports.Http(2));
            await RegisterAsync(ports, ports.LondonSip, "carol", phonePort: ports.UnusedPhone, localPort: ports.RegisterLocal);
            Assert.StartsWith($"sip:carol@127.0.0.1:{ports.UnusedPhone}", await PhoneContactAsync(manchester, "carol"));

            await using var phone = StartAgentPhone(ports);
            await Eventually.HoldsAsync(() => Task.FromResult(IsUdpBound(ports.Phone)), "the SIPp agent phone listening", seconds: 30);
            await RegisterAsync(ports, ports.ManchesterSip, "grace", phonePort: ports.Phone, localPort: ports.RegisterLocal + 1);
            Assert.StartsWith($"sip:grace@127.0.0.1:{ports.Phone}", await PhoneContactAsync(london, "grace"));
            (await london.PostAsync("/api/agents/grace/login", null)).EnsureSuccessStatusCode();
            (await london.PostAsync("/api/agents/grace/available", null)).EnsureSuccessStatusCode();

            // A caller dials the support line (2000) at the manchester edge; grace, of manchester's support team and
            // the only agent logged in, answers on her phone and hangs up; the edge then ends the caller's side.
            var callerNumber = "0770090" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
            var caller = await RunSippAsync(ports.Sipp,
            [
                $"127.0.0.1:{ports.ManchesterSip}", "-sf", "caller-waits-for-bye.xml", "-s", "2000",
                "-p", ports.Caller.ToString(CultureInfo.InvariantCulture), "-mp", ports.CallerMedia.ToString(CultureInfo.InvariantCulture),
                "-set", "caller", callerNumber, "-m", "1", "-recv_timeout", "60000",
            ]);
            Assert.True(caller.ExitCode == 0, $"the SIPp caller failed ({caller.ExitCode}):\n{caller.Output}");
            var answered = await phone.WaitAsync(SippTimeout);
            Assert.True(answered == 0, $"the SIPp agent phone failed ({answered}):\n{phone.Output}");

            var call = await EndedCallOfAsync(manchester, "grace", callerNumber);
            Assert.Equal("Answered", call.GetProperty("outcome").GetString());
            Assert.Equal("support", call.GetProperty("queueId").GetString());
            Assert.Equal("manchester", call.GetProperty("arrival").GetProperty("siteId").GetString());
            Assert.True(call.GetProperty("arrival").GetProperty("mediaManagedByEdge").GetBoolean());
            Assert.Contains(call.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "Accepted" && e.GetProperty("agentId").GetString() == "grace");

            // Site-aware placement across real processes: grace and her call on the manchester silo, carol on a london
            // one. Agents the configuration push activated before every silo had joined move home on their next turn
            // (the login, the phone registration), so they are awaited.
            using var client = await ClusterClientAsync(ports.Redis);
            var grains = client.Services.GetRequiredService<IGrainFactory>();
            var management = grains.GetGrain<IManagementGrain>(0);
            var callId = call.GetProperty("callId").GetString()!;
            Assert.Equal("manchester", CallIds.SiteOf(callId));
            Assert.Equal(ports.SiloPort(2), await HostPortAsync(management, grains.GetGrain<ICallGrain>(callId)));
            await Eventually.HoldsAsync(async () => await HostPortAsync(management, grains.GetGrain<IAgentGrain>("grace")) == ports.SiloPort(2),
                "grace on the manchester silo", seconds: 30);
            await Eventually.HoldsAsync(async () => await HostPortAsync(management, grains.GetGrain<IAgentGrain>("carol")) is { } port && port != ports.SiloPort(2),
                "carol on a london silo", seconds: 30);
            await client.StopAsync();

            var stopped = await RunScriptAsync(ports, state, "stop");
            Assert.True(stopped.ExitCode == 0, $"multisite.sh stop exited with {stopped.ExitCode}:\n{stopped.Output}");
            Assert.All(pids, process => Assert.False(IsRunning(process.Value), $"{process.Key} (pid {process.Value}) still runs after stop:\n{stopped.Output}"));
            Assert.Empty(Directory.GetFiles(Path.Combine(state, "run"), "*.pid"));
        }
        finally
        {
            // Whatever failed, nothing of the test keeps running (stop does nothing when all is stopped).
            await RunScriptAsync(ports, state, "stop");
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>
    /// The silo port of the silo whose activation list has <paramref name="grain"/> (a directory lookup can be stale
    /// after a migration); null while none or, mid-migration, two have it.
    /// </summary>
    private static async Task<int?> HostPortAsync(IManagementGrain management, IAddressable grain)
    {
        var hosts = (await management.GetDetailedGrainStatistics()).Where(activation => activation.GrainId == grain.GetGrainId()).ToList();
        return hosts.Count == 1 ? hosts[0].SiloAddress.Endpoint.Port : null;
    }

    /// <summary>An Orleans client of the script's cluster, found through its Redis as the edges find it.</summary>
    private static async Task<IHost> ClusterClientAsync(int redisPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Orleans:ClusterId"] = "callcenter-local";
        builder.Configuration["Orleans:ServiceId"] = "callcenter-local";
        builder.UseOrleansClient(client => client.UseRedisClustering($"127.0.0.1:{redisPort}"));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Task<(int ExitCode, string Output)> RunScriptAsync(MultiSitePorts ports, string state, params string[] arguments)
    {
        var root = RepositoryRoot();
        return ExternalCommand.RunAsync("bash", [Path.Combine(root, "scripts", "multisite.sh"), .. arguments], root, ScriptTimeout, new Dictionary<string, string>
        {
            ["MULTISITE_DIR"] = state,
            ["MULTISITE_BASE_PORT"] = ports.Base.ToString(CultureInfo.InvariantCulture),
            // The silo and edge this test run was built with (Debug or Release): the test runs them, it does not build.
            ["MULTISITE_CONFIGURATION"] = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name,
        });
    }

    private static async Task<IEnumerable<int>> ActiveSiloPortsAsync(int redisPort)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort}");
        var membership = redis.GetServer("127.0.0.1", redisPort).Keys(pattern: "*/members/*").Single();
        var entries = await redis.GetDatabase().HashGetAllAsync(membership);
        return entries.Where(entry => entry.Name != "Version")
            .Select(entry => JsonDocument.Parse(entry.Value.ToString()).RootElement)
            .Where(silo => silo.GetProperty("Status").GetInt32() == OrleansActive)
            .Select(silo => IPEndPoint.Parse(silo.GetProperty("SiloAddress").GetProperty("SiloAddress").GetString()!.Split('@')[0]).Port)
            .Order()
            .ToList();
    }

    /// <summary>REGISTERs <paramref name="user"/> (password: the demo's "&lt;user&gt;-phone") through an edge with SIPp, answering the digest challenge.</summary>
    private static async Task RegisterAsync(MultiSitePorts ports, int edgePort, string user, int phonePort, int localPort)
    {
        var accounts = Path.Combine(Path.GetTempPath(), $"multisite-{user}-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(accounts, ["SEQUENTIAL", $"{user};[authentication username={user} password={user}-phone]"]);
        try
        {
            var register = await RunSippAsync(ports.Sipp,
            [
                $"127.0.0.1:{edgePort}", "-sf", "agent-register.xml", "-inf", accounts,
                "-p", localPort.ToString(CultureInfo.InvariantCulture), "-set", "phone_port", phonePort.ToString(CultureInfo.InvariantCulture), "-m", "1",
            ]);
            Assert.True(register.ExitCode == 0, $"registering {user} at {edgePort} failed:\n{register.Output}");
        }
        finally
        {
            File.Delete(accounts);
        }
    }

    /// <summary>A SIPp agent phone (server) that answers one INVITE and hangs up a second later.</summary>
    private static ExternalCommand StartAgentPhone(MultiSitePorts ports) =>
        ExternalCommand.Start(SippPath, SippArguments(
        [
            "-sf", "agent-phone.xml", "-p", ports.Phone.ToString(CultureInfo.InvariantCulture),
            "-mp", ports.PhoneMedia.ToString(CultureInfo.InvariantCulture), "-set", "bye_after_ms", "1000", "-m", "1", "-recv_timeout", "60000",
        ]), ports.Sipp);

    private static Task<(int ExitCode, string Output)> RunSippAsync(string directory, string[] arguments) =>
        ExternalCommand.RunAsync(SippPath, SippArguments(arguments), directory, SippTimeout);

    private const string SippPath = "/usr/bin/sipp";

    /// <summary>UDP on loopback, no terminal, bounded by SIPp's own timeout (an error when it passes); the scenarios' media paths are relative to tests/sipp.</summary>
    private static IEnumerable<string> SippArguments(string[] arguments) =>
        [.. arguments, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-t", "u1", "-nostdin", "-timeout", "90s", "-timeout_error"];

    private static async Task<string?> PhoneContactAsync(HttpClient silo, string agentId) =>
        JsonDocument.Parse(await silo.GetStringAsync($"/api/agents/{agentId}")).RootElement.GetProperty("phoneContact").GetString();

    /// <summary>The call of <paramref name="callerNumber"/> that <paramref name="agentId"/> handled, once it has an outcome in the history.</summary>
    private static async Task<JsonElement> EndedCallOfAsync(HttpClient silo, string agentId, string callerNumber)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () =>
        {
            var records = JsonDocument.Parse(await silo.GetStringAsync($"/api/history/calls?agentId={agentId}")).RootElement;
            foreach (var record in records.EnumerateArray())
            {
                var call = JsonDocument.Parse(await silo.GetStringAsync($"/api/calls/{record.GetProperty("callId").GetString()}")).RootElement;
                if (call.GetProperty("arrival").GetProperty("callerNumber").GetString() == callerNumber)
                {
                    found = call;
                    return true;
                }
            }

            return false;
        }, $"the call of {callerNumber} in the history of {agentId}", seconds: 30);
        return found!.Value;
    }

    private static HttpClient Http(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Whether the process runs: a zombie has exited and only waits for its parent (here init) to reap it.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(variable => variable.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last()[1]);

    private static bool IsUdpBound(int port)
    {
        try
        {
            using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CallCenter.Orleans.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("CallCenter.Orleans.sln not found above the tests");
    }

    /// <summary>
    /// The script's port layout for a base port (scripts/multisite.sh, port_layout): Redis at the base, silo n's HTTP at
    /// base+10+10n and Orleans silo port at base+12+10n, SIP london base+40 and manchester base+50, RTP base+100..299.
    /// The unused base+60..99 hold the test's SIPp peers. The base is one whose 300 ports are all free.
    /// </summary>
    private sealed record MultiSitePorts(int Base)
    {
        public int Redis => Base;
        public int Http(int silo) => Base + 10 + (10 * silo);
        public int SiloPort(int silo) => Base + 12 + (10 * silo);
        public int LondonSip => Base + 40;
        public int ManchesterSip => Base + 50;
        public int Phone => Base + 60;
        public int PhoneMedia => Base + 64;
        public int RegisterLocal => Base + 70;
        public int Caller => Base + 80;
        public int CallerMedia => Base + 84;
        public int UnusedPhone => Base + 90;
        public string Sipp => Path.Combine(RepositoryRoot(), "tests", "sipp");

        /// <summary>A base below the ephemeral range (32768+) and the edges' default RTP range (20000+), whose ports are free on TCP and UDP.</summary>
        public static MultiSitePorts Free()
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var candidate = 10_000 + (Random.Shared.Next(0, 30) * 300);
                if (Enumerable.Range(candidate, 300).All(IsFree))
                {
                    return new MultiSitePorts(candidate);
                }
            }

            throw new InvalidOperationException("no block of 300 free ports between 10000 and 19000");
        }

        private static bool IsFree(int port)
        {
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
