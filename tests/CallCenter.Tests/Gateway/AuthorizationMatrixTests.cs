using CallCenter.Gateway.V1;
using CallCenter.Grains;
using CallCenter.Model;
using Grpc.Core;
using TransferKind = CallCenter.Gateway.V1.TransferKind;
using TransferRequest = CallCenter.Gateway.V1.TransferRequest;
using ConsultRequest = CallCenter.Gateway.V1.ConsultRequest;

namespace CallCenter.Tests.Gateway;

/// <summary>Every role against every RPC: what each may do, what is denied, and that a denied command changes nothing.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthorizationMatrixTests(GatewayHost host)
{
    private const StatusCode Ok = StatusCode.OK;
    private const StatusCode Denied = StatusCode.PermissionDenied;

    [Fact]
    public async Task EveryRoleAgainstEveryRpc_OnACallThatIsNotTheirs()
    {
        // dev holds a call of the default tenant; a call of tenant "other" waits.
        await using var owner = await host.LoginAsync("dev");
        await owner.OpenEventsAsync();
        await owner.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, owner.Auth);
        var held = await host.CallAsync("gw-sales");
        var offer = (await owner.NextAsync(e => e.Offer is not null, "the owner's offer")).Offer;
        await owner.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, owner.Auth);
        var otherTenantCall = await host.CallAsync("other-sales", tenant: "other");
        var otherTenantAgent = host.Grains.GetGrain<IAgentGrain>("other-agent");
        await otherTenantAgent.LoginAsync("break");

        var sessions = new Dictionary<string, Metadata>
        {
            ["agent"] = (await host.LoginAsync("eli")).Auth,
            ["partner expert"] = (await host.LoginAsync("px2")).Auth,
            ["supervisor"] = (await host.LoginAsync("sup")).Auth,
            ["other tenant's supervisor"] = (await host.LoginAsync("other-sup")).Auth,
            ["admin"] = (await host.LoginAsync("root")).Auth,
            ["no token"] = [],
            ["forged token"] = new Metadata { { "authorization", "Bearer v1.eyJTdWIiOiJyb290IiwiUm9sZSI6M30.c2lnbmF0dXJl" } },
        };
        var callId = held.GetPrimaryKeyString();
        var desk = host.Desk();
        var supervisor = host.Supervisor();
        var rpcs = new Dictionary<string, Func<Metadata, Task>>
        {
            ["Accept"] = auth => desk.AcceptAsync(new OfferCommand { CallId = callId, Epoch = offer.Epoch }, auth).ResponseAsync,
            ["Reject"] = auth => desk.RejectAsync(new OfferCommand { CallId = callId, Epoch = offer.Epoch }, auth).ResponseAsync,
            ["Hold"] = auth => desk.HoldAsync(new CallCommand { CallId = callId }, auth).ResponseAsync,
            ["Resume"] = auth => desk.ResumeAsync(new CallCommand { CallId = callId }, auth).ResponseAsync,
            ["HangUp"] = auth => desk.HangUpAsync(new CallCommand { CallId = callId }, auth).ResponseAsync,
            ["Transfer"] = auth => desk.TransferAsync(new TransferRequest { CallId = callId, Kind = TransferKind.Queue, Target = "experts" }, auth).ResponseAsync,
            ["Consult"] = auth => desk.ConsultAsync(new ConsultRequest { CallId = callId, Action = ConsultAction.Start, Kind = TransferKind.Agent, Target = "eli" }, auth).ResponseAsync,
            ["WrapUp"] = auth => desk.WrapUpAsync(new WrapUpRequest { CallId = callId, DispositionCode = "resolved" }, auth).ResponseAsync,
            ["LookUpCustomer"] = auth => desk.LookUpCustomerAsync(new CallCommand { CallId = callId }, auth).ResponseAsync,
            ["LookUpCustomer (other tenant)"] = auth => desk.LookUpCustomerAsync(new CallCommand { CallId = otherTenantCall.GetPrimaryKeyString() }, auth).ResponseAsync,
            ["Accept (unknown call)"] = auth => desk.AcceptAsync(new OfferCommand { CallId = "no-such-call", Epoch = 1 }, auth).ResponseAsync,
            ["SetState"] = auth => desk.SetStateAsync(new SetStateRequest { State = AgentState.NotReady, ReasonCode = "break" }, auth).ResponseAsync,
            ["ListAgents"] = auth => supervisor.ListAgentsAsync(new ListAgentsRequest(), auth).ResponseAsync,
            ["ListQueues"] = auth => supervisor.ListQueuesAsync(new ListQueuesRequest(), auth).ResponseAsync,
            ["SendMessage"] = auth => supervisor.SendMessageAsync(new SupervisorMessageRequest { AgentId = "eli", Text = "hello" }, auth).ResponseAsync,
            ["ForceNotReady (other tenant)"] = auth => supervisor.ForceNotReadyAsync(new ForceRequest { AgentId = "other-agent" }, auth).ResponseAsync,
            ["SetSkills (other tenant)"] = auth => supervisor.SetSkillsAsync(new SetSkillsRequest { AgentId = "other-agent", Skills = { new Skill { Name = "sales", Level = 9 } } }, auth).ResponseAsync,
        };

        // What each role may do to a call it neither holds nor was offered: nothing; supervision by tenant.
        var expected = new Dictionary<string, StatusCode[]>
        {
            // Accept Reject Hold Resume HangUp Transfer Consult WrapUp Customer Customer(other) Accept(unknown) SetState ListAgents ListQueues Message ForceNotReady(other) SetSkills(other)
            ["agent"] = [Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Ok, Denied, Denied, Denied, Denied, Denied],
            ["partner expert"] = [Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Ok, Denied, Denied, Denied, Denied, Denied],
            ["supervisor"] = [Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Ok, Ok, Ok, Denied, Denied],
            ["other tenant's supervisor"] = [Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Ok, Ok, Denied, Ok, Ok],
            ["admin"] = [Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Denied, Ok, Ok, Ok, Ok, Ok],
            ["no token"] = Enumerable.Repeat(StatusCode.Unauthenticated, rpcs.Count).ToArray(),
            ["forged token"] = Enumerable.Repeat(StatusCode.Unauthenticated, rpcs.Count).ToArray(),
        };

        var mismatches = new List<string>();
        foreach (var (role, auth) in sessions)
        {
            var column = 0;
            foreach (var (rpc, invoke) in rpcs)
            {
                var actual = await GrpcStatus.OfAsync(() => invoke(auth));
                if (actual != expected[role][column])
                {
                    mismatches.Add($"{role} × {rpc}: {actual}, expected {expected[role][column]}");
                }

                column++;
            }
        }

        Assert.Empty(mismatches);
        var call = await held.GetAsync();
        Assert.Equal(CallState.Connected, call.State);
        Assert.Equal("dev", call.AgentId);
        Assert.Empty(call.Dispositions);
        Assert.Equal(CallState.Queued, (await otherTenantCall.GetAsync()).State);
        await owner.Desk.HangUpAsync(new CallCommand { CallId = callId }, owner.Auth);
        await otherTenantAgent.LogoutAsync();
        await otherTenantCall.HangUpAsync(CallParty.Caller);
    }

    [Fact]
    public async Task PartnerExpert_IsOfferedOnlyCallsOfEntitledQueues_AndSeesOnlyThem()
    {
        await using var expert = await host.LoginAsync("px3");
        await expert.OpenEventsAsync();
        await expert.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, expert.Auth);

        // A sales call (a queue not entitled to "acme") waits though the expert has the skill and is idle.
        var sales = await host.CallAsync("gw-sales");
        var experts = await host.CallAsync("experts");

        var offer = (await expert.NextAsync(e => e.Offer is not null, "an offer")).Offer;
        Assert.Equal(experts.GetPrimaryKeyString(), offer.CallId);
        Assert.Equal(CallState.Queued, (await sales.GetAsync()).State);
        var denied = await GrpcStatus.OfAsync(() => expert.Desk.LookUpCustomerAsync(new CallCommand { CallId = sales.GetPrimaryKeyString() }, expert.Auth).ResponseAsync);
        Assert.Equal(Denied, denied);
        await expert.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, expert.Auth);
        await expert.Desk.HangUpAsync(new CallCommand { CallId = offer.CallId }, expert.Auth);
        await sales.HangUpAsync(CallParty.Caller);
    }
}
