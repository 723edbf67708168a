using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>
/// The same length and format rules hold at every entry: an oversized or malformed target, note, reason or code is
/// refused through HTTP (400) and gRPC (INVALID_ARGUMENT) alike, because the grain checks it, and nothing is stored.
/// </summary>
public sealed class InputLimitsTests(InputLimitsHost fixture) : IClassFixture<InputLimitsHost>
{
    private const string Secret = "a secret of this test";

    private SiloWebHost Host => fixture.Host;

    /// <summary>Each case: what to send over HTTP (path, JSON body) and over gRPC, for an agent holding a call.</summary>
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { "transfer target too long", "transfer target with a control character", "transfer note too long", "consult target too long", "not-ready reason too long" })
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedInput_IsRefusedAlikeOverHttpAndGrpc_AndNothingIsStored(string name, bool overGrpc)
    {
        var agentId = $"a{fixture.NextAgent()}";
        var (callId, token) = await AgentHoldingACallAsync(agentId);
        var call = Host.Grains.GetGrain<ICallGrain>(callId);
        var callBefore = JsonSerializer.Serialize(await call.GetAsync(), JsonDefaults.Options);
        var agentBefore = (await Host.Grains.GetGrain<IAgentGrain>(agentId).GetStatusAsync()).Presence;

        // 200,000 characters over HTTP (the instance reported); over gRPC under its 64 KB message limit, still far past every rule.
        var huge = new string('x', overGrpc ? 5_000 : 200_000);
        var (path, body, rpc) = name switch
        {
            "transfer target too long" => ($"/api/calls/{callId}/transfer", new { kind = "External", target = huge, requestedByAgentId = agentId } as object,
                (Func<Proto.AgentDesk.AgentDeskClient, Metadata, Task>)((desk, auth) => desk.TransferAsync(new Proto.TransferRequest { CallId = callId, Kind = Proto.TransferKind.External, Target = huge }, auth).ResponseAsync)),
            "transfer target with a control character" => ($"/api/calls/{callId}/transfer", new { kind = "External", target = "sip:x\u0001@example.com", requestedByAgentId = agentId },
                (desk, auth) => desk.TransferAsync(new Proto.TransferRequest { CallId = callId, Kind = Proto.TransferKind.External, Target = "sip:x\u0001@example.com" }, auth).ResponseAsync),
            "transfer note too long" => ($"/api/calls/{callId}/transfer", new { kind = "External", target = "sip:x@example.com", note = huge, requestedByAgentId = agentId },
                (desk, auth) => desk.TransferAsync(new Proto.TransferRequest { CallId = callId, Kind = Proto.TransferKind.External, Target = "sip:x@example.com", Note = huge }, auth).ResponseAsync),
            "consult target too long" => ($"/api/calls/{callId}/consult", new { agentId, kind = "External", target = huge },
                (desk, auth) => desk.ConsultAsync(new Proto.ConsultRequest { CallId = callId, Action = Proto.ConsultAction.Start, Kind = Proto.TransferKind.External, Target = huge }, auth).ResponseAsync),
            _ => ($"/api/agents/{agentId}/not-ready", new { reasonCode = huge },
                (desk, auth) => desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.NotReady, ReasonCode = huge }, auth).ResponseAsync),
        };

        string message;
        if (overGrpc)
        {
            using var channel = Host.CreateChannel();
            var error = await Assert.ThrowsAsync<RpcException>(() => rpc(new Proto.AgentDesk.AgentDeskClient(channel), new Metadata { { "authorization", "Bearer " + token } }));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            message = error.Status.Detail;
        }
        else
        {
            using var http = Host.CreateHttp();
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await http.SendAsync(request);
            message = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: HTTP {(int)response.StatusCode} {message[..Math.Min(200, message.Length)]}");
        }

        // A clear message that does not echo the oversized input back.
        Assert.True(message.Length < 1000, $"{name}: the refusal is {message.Length} characters long");
        Assert.Equal(callBefore, JsonSerializer.Serialize(await call.GetAsync(), JsonDefaults.Options));
        Assert.Equal(agentBefore, (await Host.Grains.GetGrain<IAgentGrain>(agentId).GetStatusAsync()).Presence);
    }

    /// <summary>The agent logs in through the gateway, takes a call, and holds it connected.</summary>
    private async Task<(string CallId, string Token)> AgentHoldingACallAsync(string agentId)
    {
        await Host.AddUserAsync(agentId, UserRole.Agent, Secret);
        using var channel = Host.CreateChannel();
        var login = await new Proto.AgentDesk.AgentDeskClient(channel).LoginAsync(new Proto.LoginRequest { UserId = agentId, Secret = Secret });
        var agent = Host.Grains.GetGrain<IAgentGrain>(agentId);
        Assert.True((await agent.SetAvailableAsync()).Succeeded);
        var callId = $"limits-call-{agentId}";
        var call = Host.Grains.GetGrain<ICallGrain>(callId);
        await call.ArriveAsync(new CallArrival { SiteId = "north", CallerNumber = "+441234567890" });
        Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync("q")).Status);
        AgentCallRef? offer = null;
        await Eventually.HoldsAsync(async () => (offer = (await agent.GetStatusAsync()).Offer) is not null, $"an offer of {callId} to {agentId}");
        Assert.True((await call.AcceptAsync(agentId, offer!.Epoch)).Succeeded);
        await call.MediaConnectedAsync();
        return (callId, login.Token);
    }
}

/// <summary>One silo for the cases above: an agent each (a1, a2, ...), one queue.</summary>
public sealed class InputLimitsHost : IAsyncLifetime
{
    private int _agents;

    public SiloWebHost Host { get; private set; } = null!;

    public int NextAgent() => Interlocked.Increment(ref _agents);

    public async Task InitializeAsync()
    {
        Host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["CallCenter:Http:AllowAnonymousLoopback"] = "false" });
        var applied = await Host.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
        {
            Sites = [new SiteDefinition { Id = "north", Name = "North" }],
            Skills = ["sales"],
            ReasonCodes = ["break"],
            DispositionCodes = ["resolved"],
            Queues = [new QueueDefinition { Id = "q", Name = "Q", RequiredSkills = [new SkillRequirement("sales", 1)], Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }] }],
            Agents = [.. Enumerable.Range(0, 12).Select(i => new AgentDefinition { Id = $"a{i}", Name = $"A{i}", SiteId = "north", Skills = [new SkillLevel("sales", 5)] })],
        });
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(e => e.Message)));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
