using CallCenter.Domain;
using CallCenter.Domain.History;
using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Grains.Placement;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace CallCenter.Grains.Grains;

/// <summary>
/// One agent's presence and reservations. It never awaits another grain: queues reserve it, calls tell it a call ended,
/// and it tells queues about its availability with one-way notices. Each presence span it leaves is handed to the
/// history store (a DI service, not a grain) without being awaited, for interval reports' occupancy. Decisions are
/// plain classes (<see cref="AgentPresenceMachine"/>, <see cref="AgentWorkload"/>); the grain is split by concern:
/// <c>AgentGrain.Reservations.cs</c>, <c>AgentGrain.Announcements.cs</c>, <c>AgentGrain.Devices.cs</c>, <c>AgentGrain.DueWork.cs</c>.
/// </summary>
[GrainType("agent"), SitePlacement]
internal sealed partial class AgentGrain(
    [PersistentState("agent", StorageNames.State)] IPersistentState<AgentGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    ICallHistory history,
    SiteLocator sites,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain, IAgentReservations, IGrainMigrationParticipant
{
    /// <summary>How often an available agent re-announces itself, so queues that restarted learn of it again.</summary>
    private static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(15);

    /// <summary>Extra time past an offer's expiry after which the agent frees itself if its queue never came back.</summary>
    private static readonly TimeSpan OrphanedOfferGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a desktop session lasts without the gateway renewing it (it renews every minute).</summary>
    public static readonly TimeSpan DesktopLease = TimeSpan.FromMinutes(2);

    /// <summary>When the gateway last said it carries the desktop's stream; a new activation gives it a whole lease.</summary>
    private DateTimeOffset _desktopSeenAt;

    private const string ObserversKey = "observers";

    private readonly ObserverManager<IAgentObserver> _observers = new(TimeSpan.FromMinutes(10), logger);
    private IGrainTimer? _dueWorkTimer;

    /// <summary>Whether the queues were last told this agent is available: saves telling them "unavailable" twice.</summary>
    private bool _announcedAvailable = true;

    private AgentGrainState S => state.State;

    private string AgentId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _desktopSeenAt = Now;

        // A lost activation may have told queues versions it never wrote (a reservation is not written). Start above
        // them, as queue epochs do; otherwise a queue that saw a higher version ignores this agent's announcements and
        // never offers it a call again, though it is Available.
        S.PresenceVersion = Math.Max(S.PresenceVersion, Now.UtcTicks);
        if (S.Presence.State != PresenceState.LoggedOut)
        {
            ScheduleDueWork();
        }

        return Task.CompletedTask;
    }

    public async Task ConfigureAsync(AgentConfiguration configuration)
    {
        var previousQueues = S.Configuration?.CandidateQueueIds ?? [];
        S.Configuration = configuration;
        await WriteAsync();
        foreach (var dropped in previousQueues.Except(configuration.CandidateQueueIds))
        {
            GrainFactory.QueueRouting(dropped).AgentUnavailableAsync(AgentId, ++S.PresenceVersion).Forget(logger, "unavailability to a queue");
        }

        AnnounceAvailability();
        MoveHomeIfAway();
    }

    public async Task RemoveAsync()
    {
        if (S.Presence.State != PresenceState.LoggedOut && S.Calls.Count == 0)
        {
            await LogoutAsync();
        }

        S.Configuration = null;
        await WriteAsync();
    }

    public async Task<CommandResult> LoginAsync(string? notReadyReason = null)
    {
        if (InputLimits.OptionalId(notReadyReason, "notReadyReason") is { } invalidInput)
        {
            return invalidInput;
        }

        if (S.Configuration is null)
        {
            return new CommandResult(CommandStatus.NotFound, $"agent '{AgentId}' is not configured");
        }

        if (S.Presence.State != PresenceState.LoggedOut)
        {
            return CommandResult.AlreadyDone;
        }

        if (notReadyReason is not null && !IsKnownReason(notReadyReason))
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"unknown reason code '{notReadyReason}'");
        }

        S.Counters = new AgentCounters();
        await MoveAsync(notReadyReason is null
            ? new AgentPresence { State = PresenceState.Available }
            : new AgentPresence { State = PresenceState.NotReady, ReasonCode = notReadyReason });
        MoveHomeIfAway();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> LogoutAsync()
    {
        if (S.Presence.State == PresenceState.LoggedOut)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.Calls.Count > 0)
        {
            return CommandResult.Invalid("the agent holds a call: end or transfer it first");
        }

        GiveBackOffer();
        S.PendingNotReadyReason = null;
        await MoveAsync(AgentPresence.LoggedOut(Now));
        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetAvailableAsync()
    {
        switch (S.Presence.State)
        {
            case PresenceState.Available:
                return CommandResult.AlreadyDone;
            case PresenceState.NotReady:
            case PresenceState.WrapUp:
                S.PendingNotReadyReason = null;
                await MoveAsync(new AgentPresence { State = PresenceState.Available });
                return CommandResult.Ok;
            case PresenceState.Busy:
                S.PendingNotReadyReason = null;
                await WriteAsync();
                return CommandResult.Ok;
            default:
                return CommandResult.Invalid($"cannot become Available from {S.Presence.State}");
        }
    }

    public async Task<CommandResult> SetNotReadyAsync(string reasonCode)
    {
        if (InputLimits.Id(reasonCode, "reasonCode") is { } invalidInput)
        {
            return invalidInput;
        }

        if (!IsKnownReason(reasonCode))
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"unknown reason code '{reasonCode}'");
        }

        switch (S.Presence.State)
        {
            case PresenceState.LoggedOut:
                return CommandResult.Invalid("log in first");
            case PresenceState.NotReady when S.Presence.ReasonCode == reasonCode:
                return CommandResult.AlreadyDone;
            case PresenceState.Busy:
                // Never drop a live call: the agent goes NotReady once the call and its wrap-up end.
                S.PendingNotReadyReason = reasonCode;
                await WriteAsync();
                return CommandResult.Ok;
            default:
                GiveBackOffer();
                S.PendingNotReadyReason = null;
                await MoveAsync(new AgentPresence { State = PresenceState.NotReady, ReasonCode = reasonCode });
                return CommandResult.Ok;
        }
    }

    public async Task<CommandResult> CompleteWrapUpAsync()
    {
        if (S.Presence.State != PresenceState.WrapUp)
        {
            return S.Presence.State is PresenceState.Available or PresenceState.NotReady
                ? CommandResult.AlreadyDone
                : CommandResult.Invalid($"not in wrap-up but {S.Presence.State}");
        }

        await MoveAsync(AfterWork());
        return CommandResult.Ok;
    }

    public Task<AgentStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <summary>
    /// Writes the state. When storage fails, this activation has already changed in memory what the caller is now told
    /// failed (a hang-up the call grain will retry, say), so the activation is dropped and the next request reads the
    /// last stored state back instead of acting on a change nobody else believes happened.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private AgentPresence AfterWork() => S.PendingNotReadyReason is { } reason
        ? new AgentPresence { State = PresenceState.NotReady, ReasonCode = reason }
        : new AgentPresence { State = PresenceState.Available };

    private async Task MoveAsync(AgentPresence next)
    {
        if (S.InWrapUp.Count > 0 && S.Calls.Count == 0 && next.State != PresenceState.WrapUp)
        {
            ReportHandled(S.Presence.State == PresenceState.WrapUp ? Math.Max(0, (Now - S.Presence.Since).TotalSeconds) : 0);
        }

        if (next.State == PresenceState.NotReady || next.State == PresenceState.LoggedOut || next.State == PresenceState.Available)
        {
            S.PendingNotReadyReason = null;
        }

        var left = S.Presence;
        (S.Presence, S.Counters) = AgentPresenceMachine.Move(S.Presence, S.Counters, next, Now);
        S.PresenceVersion++;
        await WriteAsync();
        RecordSpan(left, S.Presence.Since);
        ReportPresence();
        if (HasFreeCapacity(Channel.Voice) || HasFreeCapacity(Channel.Chat))
        {
            AnnounceAvailability();
        }
        else
        {
            TellQueuesUnavailable();
        }

        ScheduleDueWork();
    }

    private bool IsKnownReason(string reasonCode) =>
        ReasonCodes.BuiltIn.Contains(reasonCode) || (S.Configuration?.ReasonCodes.Contains(reasonCode) ?? false);

    private AgentStatus Status() => new()
    {
        AgentId = AgentId,
        Definition = S.Configuration?.Definition,
        Presence = S.Presence,
        Offer = S.Offer,
        Calls = S.Calls.ToList(),
        Counters = S.Counters,
        PresenceVersion = S.PresenceVersion,
        PhoneContact = PhoneContact(),
        DesktopGraceUntil = S.DesktopGraceUntil,
    };

    /// <summary>The registered phone while its registration lasts, else the configured URI the edge dials instead.</summary>
    private string? PhoneContact() =>
        S.PhoneContact is { } contact && Now < S.PhoneRegisteredUntil ? contact : S.Configuration?.Definition.PhoneUri;
}
