using CallCenter.Gateway.V1;
using CallCenter.Grains;
using CallCenter.Model;
using Grpc.Core;
using TransferKind = CallCenter.Gateway.V1.TransferKind;
using TransferRequest = CallCenter.Gateway.V1.TransferRequest;

namespace CallCenter.Tests.Gateway;

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayHost>
{
    public const string Name = "gateway";
}

/// <summary>A home agent's working day over gRPC: login, offers with the screen-pop, accept, the end, wrap-up; transfers to partner experts.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayFlowTests(GatewayHost host)
{
    [Fact]
    public async Task Login_Offer_Accept_End_WrapUp()
    {
        var customer = host.Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(TenantDefinition.DefaultTenantId, "+441111000001"));
        await customer.UpdateProfileAsync("Ada Lovelace", CustomerTier.Gold, new Dictionary<string, string> { ["crm"] = "C-17" });
        await using var amy = await host.LoginAsync("amy");
        Assert.Equal(Role.Agent, amy.Login.Role);
        Assert.Equal(["resolved", "follow-up"], amy.Login.DispositionCodes);
        var started = await amy.OpenEventsAsync();
        Assert.False(started.Resumed);
        Assert.Equal(AgentState.NotReady, started.State.State);

        await amy.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, amy.Auth);
        var call = await host.CallAsync("gw-sales", data: new Dictionary<string, string> { ["account"] = "4321" }, caller: "+441111000001");

        var offer = (await amy.NextAsync(e => e.Offer is not null, "the offer")).Offer;
        Assert.Equal(call.GetPrimaryKeyString(), offer.CallId);
        Assert.Equal("gw-sales", offer.QueueId);
        Assert.Equal("Ada Lovelace", offer.ScreenPop.Customer.Name);
        Assert.Equal("Gold", offer.ScreenPop.Customer.Tier);
        Assert.Equal("C-17", offer.ScreenPop.Customer.Attributes["crm"]);
        Assert.Equal("4321", offer.ScreenPop.AttachedData["account"]);
        Assert.Equal("+441111000001", offer.ScreenPop.CallerNumber);

        var accepted = await amy.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, amy.Auth);
        Assert.False(accepted.AlreadyDone);
        Assert.True((await amy.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, amy.Auth)).AlreadyDone, "a retried accept has no second effect");
        await amy.NextAsync(e => e.Call is { State: "Connected" }, "the call connected");
        Assert.Equal("Ada Lovelace", (await amy.Desk.LookUpCustomerAsync(new CallCommand { CallId = offer.CallId }, amy.Auth)).Name);

        await call.HangUpAsync(CallParty.Caller);
        var endAndWrapUp = await amy.NextEachAsync("the call ended and wrap-up", e => e.Call is { State: "Ended" }, e => e.State is { State: AgentState.WrapUp });
        Assert.Equal("Answered", endAndWrapUp[0].Call.Outcome);

        var wrapped = await amy.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "resolved", Notes = "address updated" }, amy.Auth);
        Assert.False(wrapped.AlreadyDone);
        await amy.NextAsync(e => e.State is { State: AgentState.Available }, "available after wrap-up");
        Assert.True((await amy.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "resolved" }, amy.Auth)).AlreadyDone, "a retried wrap-up has no second effect");
        var ended = await call.GetAsync();
        Assert.Equal("resolved", ended.Dispositions["amy"]);
        Assert.Single(ended.Notes, "address updated");
    }

    [Fact]
    public async Task TransferToPartnerExperts_TheContextArrivesInTheExpertsScreenPop()
    {
        await using var bill = await host.LoginAsync("bill");
        await bill.OpenEventsAsync();
        await bill.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, bill.Auth);
        await using var expert = await host.LoginAsync("px1");
        Assert.Equal(Role.PartnerExpert, expert.Login.Role);
        Assert.Equal("acme", expert.Login.PartnerOrganization);
        await expert.OpenEventsAsync();
        await expert.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, expert.Auth);

        var call = await host.CallAsync("gw-sales", data: new Dictionary<string, string> { ["ivr.choice"] = "3" });
        var offer = (await bill.NextAsync(e => e.Offer is not null, "the offer to the staff agent")).Offer;
        await bill.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, bill.Auth);
        await bill.NextAsync(e => e.Call is { State: "Connected" }, "connected");

        await bill.Desk.TransferAsync(new TransferRequest { CallId = offer.CallId, Kind = TransferKind.PartnerExpertQueue, Target = "experts", Note = "router model X200, firmware 2.1" }, bill.Auth);

        var expertOffer = (await expert.NextAsync(e => e.Offer is not null, "the offer to the partner expert")).Offer;
        Assert.Equal(call.GetPrimaryKeyString(), expertOffer.CallId);
        Assert.Equal("experts", expertOffer.QueueId);
        Assert.Contains("router model X200, firmware 2.1", expertOffer.ScreenPop.Notes);
        Assert.Equal("3", expertOffer.ScreenPop.AttachedData["ivr.choice"]);
        Assert.Equal(["bill"], expertOffer.ScreenPop.PreviousAgents);
        await expert.Desk.AcceptAsync(new OfferCommand { CallId = expertOffer.CallId, Epoch = expertOffer.Epoch }, expert.Auth);
        Assert.Equal("px1", (await call.GetAsync()).AgentId);

        // The first agent may still wrap up the call it handled, but no longer control it.
        await bill.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "follow-up" }, bill.Auth);
        var denied = await Assert.ThrowsAsync<RpcException>(() => bill.Desk.HoldAsync(new CallCommand { CallId = offer.CallId }, bill.Auth).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        await expert.Desk.HangUpAsync(new CallCommand { CallId = offer.CallId }, expert.Auth);
    }

    [Fact]
    public async Task IdleStream_CarriesHeartbeats()
    {
        await using var mo = await host.LoginAsync("mo");
        await mo.OpenEventsAsync();

        var heartbeat = await mo.NextAsync(e => e.EventCase == AgentEvent.EventOneofCase.Heartbeat, "a heartbeat");

        Assert.NotNull(heartbeat.At);
    }

    [Fact]
    public async Task SupervisorMessage_ReachesTheAgentsDesk()
    {
        await using var cara = await host.LoginAsync("cara");
        await cara.OpenEventsAsync();
        await using var supervisor = await host.LoginAsync("sup");

        await host.Supervisor().SendMessageAsync(new SupervisorMessageRequest { AgentId = "cara", Text = "please take lunch at 1" }, supervisor.Auth);

        var message = (await cara.NextAsync(e => e.SupervisorMessage is not null, "the supervisor's message")).SupervisorMessage;
        Assert.Equal("sup", message.From);
        Assert.Equal("please take lunch at 1", message.Text);
    }
}
