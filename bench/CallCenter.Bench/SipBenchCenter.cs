using System.Diagnostics;
using System.Globalization;
using System.Net;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Bench;

/// <summary>
/// The contact center the <c>sip</c> bench calls when no <c>--edge-port</c> is given: the embedded one-silo cluster
/// (<see cref="BenchSilo"/>) co-hosting the SIP edge on a free loopback port, one queue reached by dialling
/// <see cref="Number"/>, and agents <c>agent1..agentM</c> (SIP user = agent id, password <see cref="Password"/>), logged
/// in and available. Their phones (SIPp agent-phone) register through the edge's registrar; answering the edge's INVITE
/// is the agent's accept (the edge accepts the offer in the grains when the phone answers), so no desk is needed.
/// </summary>
internal sealed class SipBenchCenter : IAsyncDisposable
{
    public const string Site = "bench";
    public const string QueueId = "bench-sip";
    public const string Number = "5000";
    public const string Password = "secret";

    private readonly BenchSilo _silo;

    private SipBenchCenter(BenchSilo silo, FileLog log, IPEndPoint edge, int agents)
    {
        _silo = silo;
        Log = log;
        Edge = edge;
        Agents = agents;
    }

    public IPEndPoint Edge { get; }

    public int Agents { get; }

    public FileLog Log { get; }

    public static string AgentId(int i) => $"agent{i}";

    public static async Task<SipBenchCenter> StartAsync(int agents, int edgePort, int rtpPortFirst, int rtpPortLast, string logPath)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SiteId"] = Site,
            ["ListenAddress"] = "127.0.0.1",
            ["Port"] = Invariant(edgePort),
            ["Udp"] = "true",
            ["Tcp"] = "true",
            // SIPp 3.6.1 answers only the first challenge and computes only MD5.
            ["DigestAlgorithms:0"] = "MD5",
            ["RtpPortFirst"] = Invariant(rtpPortFirst),
            ["RtpPortLast"] = Invariant(rtpPortLast),
            ["RingSeconds"] = "0",
            ["Survey"] = "false",
            ["RecordingDirectory"] = "",
            // Every caller and phone of the bench comes from 127.0.0.1: the per-source limits would be the bottleneck.
            ["InvitesPerSecond"] = "1000000",
            ["InviteBurst"] = "1000000",
            ["RegistersPerSecond"] = "1000000",
            ["RegisterBurst"] = "1000000",
            ["Trunks:0"] = "127.0.0.1/32",
        };
        for (var i = 1; i <= agents; i++)
        {
            settings[$"Accounts:{i - 1}:Username"] = AgentId(i);
            settings[$"Accounts:{i - 1}:Password"] = Password;
            settings[$"Accounts:{i - 1}:AgentId"] = AgentId(i);
        }

        var log = new FileLog(logPath);
        var silo = await BenchSilo.StartAsync(settings, log);
        try
        {
            var applied = await silo.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration(agents));
            if (!applied.Applied)
            {
                throw new InvalidOperationException("bench configuration refused: " + string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            foreach (var chunk in Enumerable.Range(1, agents).Chunk(50))
            {
                var results = await Task.WhenAll(chunk.Select(i => silo.Grains.GetGrain<IAgentGrain>(AgentId(i)).LoginAsync()));
                if (results.FirstOrDefault(r => !r.Succeeded && r.Status != CommandStatus.AlreadyDone) is { } refused)
                {
                    throw new InvalidOperationException($"agent login refused: {refused.Status} {refused.Message}");
                }
            }
        }
        catch
        {
            await silo.DisposeAsync();
            log.Dispose();
            throw;
        }

        return new SipBenchCenter(silo, log, new IPEndPoint(IPAddress.Loopback, edgePort), agents);
    }

    /// <summary>Waits until every agent's grain knows its phone (the registrar tells the grains after the 200).</summary>
    public async Task<int> WaitForPhonesAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var withPhone = 0;
            foreach (var chunk in Enumerable.Range(1, Agents).Chunk(100))
            {
                var statuses = await Task.WhenAll(chunk.Select(i => _silo.Grains.GetGrain<IAgentGrain>(AgentId(i)).GetStatusAsync()));
                withPhone += statuses.Count(s => s.PhoneContact is not null && s.Presence.State == PresenceState.Available);
            }

            if (withPhone == Agents || clock.Elapsed > timeout)
            {
                return withPhone;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Every call grain the run created (the edge names them <c>sip-…</c>; they stay active for the run): how many, how
    /// many ended Answered, and the others by state and outcome.
    /// </summary>
    public async Task<GrainCheck> CheckCallsAsync()
    {
        var management = _silo.Grains.GetGrain<IManagementGrain>(0);
        var ids = await management.GetActiveGrains(GrainType.Create("call"));
        var answered = 0;
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        string? example = null;
        foreach (var chunk in ids.Chunk(500))
        {
            var snapshots = await Task.WhenAll(chunk.Select(id => _silo.Grains.GetGrain<ICallGrain>(id).GetAsync()));
            foreach (var call in snapshots)
            {
                if (call.State == CallState.Ended && call.Outcome == CallOutcome.Answered)
                {
                    answered++;
                    continue;
                }

                var key = $"{call.State}/{call.Outcome}";
                others[key] = others.GetValueOrDefault(key) + 1;
                example ??= $"{call.CallId} {call.State} {call.Outcome} {call.OutcomeDetail} agent={call.AgentId} sip.callId={call.AttachedData.GetValueOrDefault("sip.callId")} timeline={string.Join(" | ", call.Timeline.Select(e => $"{e.Kind} {e.AgentId} {e.Detail}"))}";
            }
        }

        var queue = await _silo.Grains.GetGrain<IQueueGrain>(QueueId).GetStatusAsync();
        return new GrainCheck(ids.Count, answered, others, example, queue.Totals);
    }

    public async ValueTask DisposeAsync()
    {
        await _silo.DisposeAsync();
        Log.Dispose();
    }

    private static ContactCenterConfiguration Configuration(int agents) => new()
    {
        Tenants = [new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" }],
        Sites = [new SiteDefinition { Id = Site, Name = "Bench", TrunkCapacity = 100_000 }],
        Queues =
        [
            new QueueDefinition
            {
                Id = QueueId,
                Name = QueueId,
                WrapUpSeconds = 0,
                AcceptTimeoutSeconds = 30,
                MaxQueueLength = 1_000_000,
                Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
            },
        ],
        Agents = Enumerable.Range(1, agents).Select(i => new AgentDefinition { Id = AgentId(i), Name = AgentId(i), SiteId = Site }).ToList(),
        EntryPoints = [new EntryPoint { DialledNumber = Number, QueueId = QueueId }],
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the grains say about the run's calls.</summary>
    public sealed record GrainCheck(int Calls, int Answered, IReadOnlyDictionary<string, int> Others, string? Example, QueueMetrics Queue)
    {
        public int NotAnswered => Calls - Answered;
    }
}
