using CallCenter.Gateway.V1;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using Grpc.Core;

namespace CallCenter.Tests.Gateway;

/// <summary>Desktops that drop and come back, bad input, tokens and lockouts, and supervisors.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SessionTests(GatewayHost host)
{
    [Fact]
    public async Task ReconnectWithinTheGrace_ResumesTheSession_WithTheCallInProgress()
    {
        await using var flo = await host.LoginAsync("flo");
        await flo.OpenEventsAsync();
        await flo.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, flo.Auth);
        var call = await host.CallAsync("gw-sales");
        var offer = (await flo.NextAsync(e => e.Offer is not null, "the offer")).Offer;
        await flo.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, flo.Auth);
        var agent = host.Grains.GetGrain<IAgentGrain>("flo");

        flo.DropEvents();
        await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).DesktopGraceUntil is not null, "the gateway noticing the drop");
        host.Clock.Advance(TimeSpan.FromSeconds(GatewayHost.GraceSeconds - 5));
        await agent.ProcessDueWorkAsync();
        var resumed = await flo.OpenEventsAsync();

        Assert.True(resumed.Resumed);
        Assert.Equal(AgentState.Busy, resumed.State.State);
        Assert.Equal(call.GetPrimaryKeyString(), Assert.Single(resumed.Calls).CallId);
        Assert.Equal("Connected", resumed.Calls[0].State);
        Assert.Null((await agent.GetStatusAsync()).DesktopGraceUntil);
        await flo.Desk.HangUpAsync(new CallCommand { CallId = offer.CallId }, flo.Auth);
    }

    [Fact]
    public async Task GoneBeyondTheGrace_AgentIsNotReadyDisconnected_AndThePendingOfferGoesBackToTheQueue()
    {
        await using var gil = await host.LoginAsync("gil");
        await gil.OpenEventsAsync();
        await gil.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, gil.Auth);
        var call = await host.CallAsync("gw-sales");
        await gil.NextAsync(e => e.Offer is not null, "the offer");
        var agent = host.Grains.GetGrain<IAgentGrain>("gil");

        gil.DropEvents();
        await Eventually.HoldsAsync(async () => (await agent.GetStatusAsync()).DesktopGraceUntil is not null, "the gateway noticing the drop");
        host.Clock.Advance(TimeSpan.FromSeconds(GatewayHost.GraceSeconds + 1));
        await agent.ProcessDueWorkAsync();

        var status = await agent.GetStatusAsync();
        Assert.Equal(PresenceState.NotReady, status.Presence.State);
        Assert.Equal(ReasonCodes.Disconnected, status.Presence.ReasonCode);
        Assert.Null(status.Offer);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Queued, "the call back in its queue");

        // Coming back later is a new start for the desk, not a resumed one; the agent chooses Available again.
        var started = await gil.OpenEventsAsync();
        Assert.False(started.Resumed);
        Assert.Equal(AgentState.NotReady, started.State.State);
        await call.HangUpAsync(CallParty.Caller);
    }

    [Fact]
    public async Task WrongSecret_UnknownUser_AndLockout_AreRefusedAndAudited()
    {
        var desk = host.Desk();
        var wrong = await GrpcStatus.OfAsync(() => desk.LoginAsync(new LoginRequest { UserId = "hana", Secret = "guess" }).ResponseAsync);
        var unknown = await GrpcStatus.OfAsync(() => desk.LoginAsync(new LoginRequest { UserId = "nobody", Secret = "guess" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong);
        Assert.Equal(StatusCode.Unauthenticated, unknown);

        for (var attempt = 1; attempt < GatewayHost.MaxFailedLogins; attempt++)
        {
            await GrpcStatus.OfAsync(() => desk.LoginAsync(new LoginRequest { UserId = "hana", Secret = "guess" + attempt }).ResponseAsync);
        }

        // Locked out now, even with the right secret, until the window passes.
        var locked = await GrpcStatus.OfAsync(() => desk.LoginAsync(new LoginRequest { UserId = "hana", Secret = GatewayHost.SecretOf("hana") }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, locked);
        Assert.Equal(PresenceState.LoggedOut, (await host.Grains.GetGrain<IAgentGrain>("hana").GetStatusAsync()).Presence.State);
        var audit = await File.ReadAllLinesAsync(host.AuditLogPath);
        Assert.Contains(audit, line => line.Contains("\"user\":\"hana\"") && line.Contains("\"outcome\":\"failed\""));
        Assert.Contains(audit, line => line.Contains("\"user\":\"hana\"") && line.Contains("\"outcome\":\"locked-out\""));
        Assert.DoesNotContain(audit, line => line.Contains("guess") || line.Contains(GatewayHost.SecretOf("hana")));

        host.Clock.Advance(TimeSpan.FromSeconds(301));
        await using var hana = await host.LoginAsync("hana");
        Assert.Equal("hana", hana.Login.AgentId);
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthenticated_AndChangesNothing()
    {
        await using var ivan = await host.LoginAsync("ivan");
        await ivan.Desk.SetStateAsync(new SetStateRequest { State = AgentState.NotReady, ReasonCode = "break" }, ivan.Auth);

        host.Clock.Advance(TimeSpan.FromMinutes(GatewayHost.TokenLifetimeMinutes + 1));
        var expired = await Assert.ThrowsAsync<RpcException>(() => ivan.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, ivan.Auth).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Contains("expired", expired.Status.Detail);
        Assert.Equal(PresenceState.NotReady, (await host.Grains.GetGrain<IAgentGrain>("ivan").GetStatusAsync()).Presence.State);
    }

    [Fact]
    public async Task TamperedToken_IsUnauthenticated()
    {
        await using var jo = await host.LoginAsync("jo");
        var token = jo.Login.Token;
        var parts = token.Split('.');
        // Changed claims under jo's signature.
        var claims = parts[1].ToCharArray();
        claims[10] = claims[10] == 'A' ? 'B' : 'A';
        var forged = new Metadata { { "authorization", $"Bearer {parts[0]}.{new string(claims)}.{parts[2]}" } };

        var refused = await Assert.ThrowsAsync<RpcException>(() => jo.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, forged).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Theory]
    [InlineData("", "a", "user_id")]
    [InlineData("kai\u0001", "a", "user_id")]
    [InlineData("kai", "", "secret")]
    public async Task MalformedLogin_IsInvalidArgument(string user, string secret, string named)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Desk().LoginAsync(new LoginRequest { UserId = user, Secret = secret }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(named, refused.Status.Detail);
    }

    [Fact]
    public async Task MalformedIds_OversizeNotes_UnknownCodes_AreInvalidArgument_AndChangeNothing()
    {
        await using var kai = await host.LoginAsync("kai");
        await kai.OpenEventsAsync();
        await kai.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, kai.Auth);
        var call = await host.CallAsync("gw-sales");
        var offer = (await kai.NextAsync(e => e.Offer is not null, "the offer")).Offer;
        await kai.Desk.AcceptAsync(new OfferCommand { CallId = offer.CallId, Epoch = offer.Epoch }, kai.Auth);
        await call.HangUpAsync(CallParty.Caller);

        var statuses = new[]
        {
            await GrpcStatus.OfAsync(() => kai.Desk.HoldAsync(new CallCommand { CallId = new string('x', 129) }, kai.Auth).ResponseAsync),
            await GrpcStatus.OfAsync(() => kai.Desk.HoldAsync(new CallCommand { CallId = "" }, kai.Auth).ResponseAsync),
            await GrpcStatus.OfAsync(() => kai.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "resolved", Notes = new string('n', 4001) }, kai.Auth).ResponseAsync),
            await GrpcStatus.OfAsync(() => kai.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "made-up" }, kai.Auth).ResponseAsync),
            await GrpcStatus.OfAsync(() => kai.Desk.SetStateAsync(new SetStateRequest { State = AgentState.NotReady, ReasonCode = "nap" }, kai.Auth).ResponseAsync),
            await GrpcStatus.OfAsync(() => kai.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Busy }, kai.Auth).ResponseAsync),
        };

        Assert.All(statuses, status => Assert.Equal(StatusCode.InvalidArgument, status));
        Assert.Empty((await call.GetAsync()).Dispositions);
        Assert.Equal(PresenceState.WrapUp, (await host.Grains.GetGrain<IAgentGrain>("kai").GetStatusAsync()).Presence.State);
        await kai.Desk.WrapUpAsync(new WrapUpRequest { CallId = offer.CallId, DispositionCode = "resolved" }, kai.Auth);
    }

    [Fact]
    public async Task Supervisor_SeesTheirTenant_ForcesNotReady_AndChangesSkills()
    {
        await using var lou = await host.LoginAsync("lou");
        await lou.Desk.SetStateAsync(new SetStateRequest { State = AgentState.Available }, lou.Auth);
        await using var supervisor = await host.LoginAsync("sup");
        var client = host.Supervisor();

        var agents = await client.ListAgentsAsync(new ListAgentsRequest(), supervisor.Auth);
        await client.ForceNotReadyAsync(new ForceRequest { AgentId = "lou", ReasonCode = "lunch" }, supervisor.Auth);
        await client.SetSkillsAsync(new SetSkillsRequest { AgentId = "lou", Skills = { new Skill { Name = "sales", Level = 8 }, new Skill { Name = "tech", Level = 3 } } }, supervisor.Auth);
        var badSkill = await GrpcStatus.OfAsync(() => client.SetSkillsAsync(new SetSkillsRequest { AgentId = "lou", Skills = { new Skill { Name = "sales", Level = 11 } } }, supervisor.Auth).ResponseAsync);

        Assert.Contains(agents.Agents, a => a.AgentId == "lou" && a.State == AgentState.Available);
        Assert.DoesNotContain(agents.Agents, a => a.TenantId != TenantDefinition.DefaultTenantId);
        var status = await host.Grains.GetGrain<IAgentGrain>("lou").GetStatusAsync();
        Assert.Equal(PresenceState.NotReady, status.Presence.State);
        Assert.Equal("lunch", status.Presence.ReasonCode);
        Assert.Equal(StatusCode.InvalidArgument, badSkill);
        Assert.Equal([new SkillLevel("sales", 8), new SkillLevel("tech", 3)], status.Definition!.Skills);
        var audit = await File.ReadAllLinesAsync(host.AuditLogPath);
        Assert.Contains(audit, line => line.Contains("\"action\":\"set-skills\"") && line.Contains("\"user\":\"sup\""));
    }
}
