using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CallCenter.TestKit;

namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// A site's SIP edge as its own process (<c>dotnet CallCenter.EdgeSip.dll</c> from src/EdgeSip's build output), an Orleans
/// client of a <see cref="RedisCluster"/> found through its Redis, as scripts/multisite.sh runs it. The phone accounts
/// are configured on the edge (seeded into the cluster's directory); the lease renewal is short, for the cluster's short
/// edge lease.
/// </summary>
public sealed class EdgeProcess : IAsyncDisposable
{
    /// <summary>How often the edges renew their calls' leases: well under <see cref="RedisCluster.EdgeLeaseSeconds"/>.</summary>
    public const double LeaseRenewalSeconds = 0.5;

    private readonly ExternalCommand _process;

    private EdgeProcess(string siteId, int sipPort, ExternalCommand process)
    {
        SiteId = siteId;
        SipPort = sipPort;
        _process = process;
    }

    public string SiteId { get; }

    public int SipPort { get; }

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>
    /// Starts the edge of <paramref name="siteId"/> on <paramref name="sipPort"/> (a new edge of a site takes the port of
    /// the one it replaces) with an RTP range of its own, and waits until it says it is listening, which it does once it
    /// has read the configuration and the phone accounts (it can then authenticate a REGISTER).
    /// </summary>
    public static async Task<EdgeProcess> StartAsync(RedisCluster cluster, string siteId, int sipPort, IReadOnlyList<(string User, string Password)> accounts)
    {
        var directory = SiloProcess.BuildDirectory("EdgeSip", "CallCenter.EdgeSip.dll");
        var rtpFirst = PortAllocator.Next(60);
        var settings = new Dictionary<string, string>
        {
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ConnectionString"] = cluster.Redis.ConnectionString,
            ["Orleans__ClusterId"] = cluster.ClusterId,
            ["Orleans__ServiceId"] = RedisCluster.ServiceId,
            ["CallCenter__Sip__SiteId"] = siteId,
            ["CallCenter__Sip__Port"] = sipPort.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Sip__RtpPortFirst"] = rtpFirst.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Sip__RtpPortLast"] = (rtpFirst + 59).ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Sip__DigestAlgorithms__0"] = "MD5",
            // A caller who hangs up after the agent is not asked for a rating: the call ends with the caller's BYE.
            ["CallCenter__Sip__Survey"] = "false",
            ["CallCenter__Sip__LeaseRenewalSeconds"] = LeaseRenewalSeconds.ToString(CultureInfo.InvariantCulture),
            ["CallCenter__Telemetry__Dashboard"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__CallCenter.EdgeSip"] = "Information",
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        for (var i = 0; i < accounts.Count; i++)
        {
            settings[$"CallCenter__Sip__Accounts__{i}__Username"] = accounts[i].User;
            // As production configures them: digest HA1 values, never the password (the edge refuses plain ones).
            settings[$"CallCenter__Sip__Accounts__{i}__Ha1Md5"] = Ha1(MD5.HashData, accounts[i].User, accounts[i].Password);
            settings[$"CallCenter__Sip__Accounts__{i}__Ha1Sha256"] = Ha1(SHA256.HashData, accounts[i].User, accounts[i].Password);
            settings[$"CallCenter__Sip__Accounts__{i}__AgentId"] = accounts[i].User;
        }

        var edge = new EdgeProcess(siteId, sipPort, ExternalCommand.Start("dotnet", [Path.Combine(directory, "CallCenter.EdgeSip.dll")], directory, settings));
        try
        {
            await Eventually.HoldsAsync(
                () => edge.HasExited
                    ? throw new InvalidOperationException($"the {siteId} edge exited before listening:\n{edge.Output}")
                    : Task.FromResult(edge.Output.Contains($"listening on 127.0.0.1:{sipPort}", StringComparison.Ordinal)),
                $"the {siteId} edge listening on {sipPort}",
                seconds: 90,
                () => edge.Output);
        }
        catch
        {
            await edge.DisposeAsync();
            throw;
        }

        return edge;
    }

    /// <summary>SIGKILL: the edge dies at once with its calls (a node lost, an OOM kill); returns once it has gone.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", ProcessId.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>RFC 7616's HA1: the hash of "user:realm:password" in lower-case hex, in the edge's default realm.</summary>
    private static string Ha1(Func<byte[], byte[]> hash, string user, string password) =>
        Convert.ToHexStringLower(hash(Encoding.UTF8.GetBytes($"{user}:callcenter:{password}")));
}
