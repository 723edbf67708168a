using CallCenter.Domain;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Security;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>
/// The agent desktop's gRPC service. Only agents and partner experts reach it (the "agent" policy, checked before a
/// method runs; Login excepted); a call command then checks the shared call policy against the call's current snapshot
/// and asks the grains. The grains make commands idempotent (a retry is AlreadyDone) and a refused command changes nothing.
/// </summary>
[Authorize(Policy = Policies.Agent)]
internal sealed partial class AgentDeskService(
    IGrainFactory grains,
    GatewayAuthorization security,
    UserLogin login,
    IOptions<GatewayOptions> options,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider time,
    IHostApplicationLifetime lifetime,
    GatewayMetrics metrics,
    SessionRevocations revocations,
    LoginRateLimits rates,
    Api.PhoneProvisioning phones,
    ILogger<AgentDeskService> logger) : Proto.AgentDesk.AgentDeskBase
{
    private GatewayOptions Options => options.Value;

    [AllowAnonymous]
    public override async Task<Proto.LoginReply> Login(Proto.LoginRequest request, ServerCallContext context)
    {
        // The address without its port, as over HTTP: a new connection per attempt is the same client.
        var source = ClientAddress.Of(context.GetHttpContext());
        if (!rates.TryAttempt(source, request.UserId))
        {
            // The user id is not validated yet: not written.
            security.Audit.Write("login", "rate-limited", null, source);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, LoginRateLimits.RefusedMessage),
                new Metadata { { "retry-after", ((int)LoginRateLimits.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        }

        var outcome = await login.LoginAsync(request.UserId, request.Secret, source);
        if (!outcome.Succeeded)
        {
            var code = outcome.Failure switch
            {
                LoginFailure.InvalidArgument => StatusCode.InvalidArgument,
                LoginFailure.LockedOut => StatusCode.ResourceExhausted,
                LoginFailure.WrongSecret => StatusCode.Unauthenticated,
                _ => StatusCode.FailedPrecondition,
            };
            throw new RpcException(new Status(code, outcome.Message ?? outcome.Failure.ToString()));
        }

        var principal = outcome.Principal!;
        var token = outcome.Token!;
        var expiresAt = outcome.ExpiresAt;
        var agentId = principal.AgentId;
        var organisation = principal.PartnerOrganization;
        var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
        var reply = new Proto.LoginReply
        {
            Token = token,
            ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt),
            Role = (Proto.Role)((int)principal.Role + 1),
            SessionId = principal.SessionId,
            AgentId = agentId ?? "",
            TenantId = principal.TenantId,
            PartnerOrganization = organisation ?? "",
        };
        reply.ReasonCodes.Add(configuration.ReasonCodes);
        reply.DispositionCodes.Add(configuration.DispositionCodes);
        return reply;
    }

    [AuditAction("logout")]
    public override async Task<Proto.CommandReply> Logout(Proto.LogoutRequest request, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        var result = await Agent(principal.AgentId!).LogoutAsync();
        // Logging out ends the user's sessions: its tokens are refused from now on, at every silo.
        await grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).RevokeSessionsAsync(principal.UserId);
        security.Audit.Write("logout", result.Status.ToString(), principal.UserId, context.Peer);
        return GatewayReplies.Reply(result);
    }

    [AuditAction("set-state")]
    public override async Task<Proto.CommandReply> SetState(Proto.SetStateRequest request, ServerCallContext context)
    {
        var agentId = GatewayAuthorization.Caller(context).AgentId!;
        return request.State switch
        {
            Proto.AgentState.Available => GatewayReplies.Reply(await Agent(agentId).SetAvailableAsync()),
            Proto.AgentState.NotReady when string.IsNullOrWhiteSpace(request.ReasonCode) =>
                throw new RpcException(new Status(StatusCode.InvalidArgument, "NotReady needs a reason code")),
            Proto.AgentState.NotReady => GatewayReplies.Reply(await Agent(agentId).SetNotReadyAsync(request.ReasonCode)),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "an agent may set only AVAILABLE or NOT_READY")),
        };
    }

    [AuditAction("events")]
    public override async Task Events(Proto.EventsRequest request, IServerStreamWriter<Proto.AgentEvent> responseStream, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        var agentId = principal.AgentId!;
        var agent = Agent(agentId);
        using var session = await revocations.WatchAsync(principal);
        await using var pump = new AgentEventPump(grains, agentId, time, logger);
        var connection = await agent.DesktopConnectedAsync(principal.SessionId);
        var role = GatewayMetrics.Role(principal.Role);
        metrics.SessionsOpened.Add(1, role);
        metrics.Sessions.Add(1, role);

        // The stream ends when the desktop goes, when this silo stops (the desktop then reconnects to another), or when
        // the session is revoked (the desktop then has to log in again).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping, session.Ended);
        try
        {
            var started = await pump.StartAsync(connection);
            await responseStream.WriteAsync(new Proto.AgentEvent { At = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Session = started });
            await PumpAsync(pump, agent, connection, responseStream, ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The desktop went away or the silo is stopping; the grace period starts below.
        }
        finally
        {
            metrics.Sessions.Add(-1, role);
            try
            {
                await agent.DesktopDisconnectedAsync(connection, TimeSpan.FromSeconds(Options.GraceSeconds));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The silo is going down: the agent keeps its state; the desktop's reconnect elsewhere settles it.
                LogDisconnectNotRecorded(exception, agentId);
            }
        }

        if (session.IsRevoked)
        {
            security.Audit.Write("events", "session-ended", principal.UserId, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, SessionRevocations.EndedMessage), new Metadata { { global::CallCenter.Gateway.Contracts.SessionTrailers.Ended, "true" } });
        }
    }

    [AuditAction("accept")]
    public override async Task<Proto.CommandReply> Accept(Proto.OfferCommand request, ServerCallContext context)
    {
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Answer, context);
        return GatewayReplies.Reply(await call.AcceptAsync(agentId, request.Epoch));
    }

    [AuditAction("reject")]
    public override async Task<Proto.CommandReply> Reject(Proto.OfferCommand request, ServerCallContext context)
    {
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Answer, context);
        return GatewayReplies.Reply(await call.RejectAsync(agentId, request.Epoch));
    }

    [AuditAction("hold")]
    public override async Task<Proto.CommandReply> Hold(Proto.CallCommand request, ServerCallContext context)
    {
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Control, context);
        return GatewayReplies.Reply(await call.HoldAsync(agentId));
    }

    [AuditAction("resume")]
    public override async Task<Proto.CommandReply> Resume(Proto.CallCommand request, ServerCallContext context)
    {
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Control, context);
        return GatewayReplies.Reply(await call.ResumeAsync(agentId));
    }

    [AuditAction("hang-up")]
    public override async Task<Proto.CommandReply> HangUp(Proto.CallCommand request, ServerCallContext context)
    {
        var (_, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Control, context);
        return GatewayReplies.Reply(await call.HangUpAsync(CallParty.Agent));
    }

    [AuditAction("transfer")]
    public override async Task<Proto.CommandReply> Transfer(Proto.TransferRequest request, ServerCallContext context)
    {
        var kind = ProtoMapping.FromProto(request.Kind) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "kind must be QUEUE, AGENT, PARTNER_EXPERT_QUEUE or EXTERNAL"));
        RequireTarget(request.Target);
        RequireNote(request.Note, "note");
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Control, context);
        return GatewayReplies.Reply(await call.TransferAsync(new TransferRequest
        {
            Kind = kind,
            Target = request.Target,
            Note = string.IsNullOrEmpty(request.Note) ? null : request.Note,
            RequestedByAgentId = agentId,
        }));
    }

    [AuditAction("consult")]
    public override async Task<Proto.CommandReply> Consult(Proto.ConsultRequest request, ServerCallContext context)
    {
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.Control, context);
        switch (request.Action)
        {
            case Proto.ConsultAction.Start:
                var kind = ProtoMapping.FromProto(request.Kind) is Model.TransferKind.Agent or Model.TransferKind.External
                    ? ProtoMapping.FromProto(request.Kind)!.Value
                    : throw new RpcException(new Status(StatusCode.InvalidArgument, "a consult goes to an AGENT or an EXTERNAL party"));
                RequireTarget(request.Target);
                return GatewayReplies.Reply(await call.StartConsultAsync(new ConsultRequest { AgentId = agentId, Kind = kind, Target = request.Target }));
            case Proto.ConsultAction.Complete:
                return GatewayReplies.Reply(await call.CompleteConsultAsync(agentId));
            case Proto.ConsultAction.Cancel:
                return GatewayReplies.Reply(await call.CancelConsultAsync(agentId));
            default:
                throw new RpcException(new Status(StatusCode.InvalidArgument, "action must be START, COMPLETE or CANCEL"));
        }
    }

    [AuditAction("wrap-up")]
    public override async Task<Proto.CommandReply> WrapUp(Proto.WrapUpRequest request, ServerCallContext context)
    {
        GatewayReplies.RequireId(request.DispositionCode, "disposition_code");
        RequireNote(request.Notes, "notes");
        var (agentId, call, _) = await AuthorizeCallAsync(request.CallId, CallAccess.WrapUp, context);
        var codes = (await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync()).DispositionCodes;
        if (codes.Count > 0 && !codes.Contains(request.DispositionCode))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown disposition code '{request.DispositionCode}'; known: {string.Join(", ", codes)}"));
        }

        var recorded = await call.SetDispositionAsync(agentId, request.DispositionCode, string.IsNullOrEmpty(request.Notes) ? null : request.Notes);
        var reply = GatewayReplies.Reply(recorded);
        var agent = Agent(agentId);
        if ((await agent.GetStatusAsync()).Presence.State == PresenceState.WrapUp)
        {
            await agent.CompleteWrapUpAsync();
        }

        return reply;
    }

    [AuditAction("customer")]
    public override async Task<Proto.CustomerView> LookUpCustomer(Proto.CallCommand request, ServerCallContext context)
    {
        var (_, _, snapshot) = await AuthorizeCallAsync(request.CallId, CallAccess.Customer, context);
        if (snapshot.CustomerKey is not { } key)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"call '{request.CallId}' has no known customer"));
        }

        return ProtoMapping.ToProto(await grains.GetGrain<ICustomerGrain>(key).GetProfileAsync());
    }

    [AuditAction("phone-provision")]
    public override async Task<Proto.PhoneAccountReply> ProvisionPhone(Proto.ProvisionPhoneRequest request, ServerCallContext context)
    {
        var principal = GatewayAuthorization.Caller(context);
        var (phone, problem) = await phones.ProvisionAsync(principal, string.IsNullOrEmpty(request.Password) ? null : request.Password, ClientAddress.Of(context.GetHttpContext()));
        if (phone is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem!));
        }

        return new Proto.PhoneAccountReply { Username = phone.Username, Realm = phone.Realm, Registrar = phone.Registrar, Password = phone.Password ?? "" };
    }

    /// <summary>Streams the pump's events, a heartbeat when idle, and renews the agent subscription and desktop session, until the desktop goes.</summary>
    private async Task PumpAsync(AgentEventPump pump, IAgentGrain agent, DesktopConnection connection, IServerStreamWriter<Proto.AgentEvent> stream, CancellationToken cancellation)
    {
        var heartbeat = TimeSpan.FromSeconds(Math.Max(1, Options.HeartbeatSeconds));
        var renewEvery = TimeSpan.FromMinutes(1);
        var renewAt = time.GetUtcNow() + renewEvery;
        while (!cancellation.IsCancellationRequested)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            idle.CancelAfter(heartbeat);
            try
            {
                var agentEvent = await pump.Events.ReadAsync(idle.Token);
                await stream.WriteAsync(agentEvent, cancellation);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                pump.Heartbeat();
            }

            if (time.GetUtcNow() >= renewAt)
            {
                renewAt = time.GetUtcNow() + renewEvery;
                await pump.SubscribeAsync();
                await agent.DesktopAliveAsync(connection);
            }
        }
    }

    /// <summary>The caller's agent and the call, once the call policy allows <paramref name="access"/> on the call's current snapshot.</summary>
    private async Task<(string AgentId, ICallGrain Call, CallSnapshot Snapshot)> AuthorizeCallAsync(string callId, CallAccess access, ServerCallContext context)
    {
        var agentId = GatewayAuthorization.Caller(context).AgentId!;
        GatewayReplies.RequireId(callId, "call_id");
        var call = grains.GetGrain<ICallGrain>(callId);
        var snapshot = await call.GetAsync();
        var reservedForMe = snapshot.State != CallState.New && access is CallAccess.Answer or CallAccess.Customer
            && (await Agent(agentId).GetStatusAsync()).Offer?.CallId == callId;
        await security.RequireAsync(context, new CallResource(snapshot, reservedForMe), new CallAccessRequirement(access));
        return (agentId, call, snapshot);
    }

    private IAgentGrain Agent(string agentId) => grains.GetGrain<IAgentGrain>(agentId);

    private static void RequireTarget(string target)
    {
        if (string.IsNullOrWhiteSpace(target) || target.Length > 256 || target.Any(char.IsControl))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "target must be 1 to 256 printable characters"));
        }
    }

    private static void RequireNote(string? note, string field)
    {
        if (note is { Length: > GatewayOptions.MaxNoteLength })
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} are limited to {GatewayOptions.MaxNoteLength} characters"));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not record that agent {AgentId}'s desktop stream ended")]
    private partial void LogDisconnectNotRecorded(Exception exception, string agentId);
}
