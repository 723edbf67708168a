using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Contracts;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>What an agent's desktop does with the call: accept or reject the offer, hold, hang up, attach data, notes, wrap-up, and watch it.</summary>
internal sealed partial class CallGrain
{
    public Task<CallSnapshot> GetAsync() => Task.FromResult(Snapshot());

    public Task ObserveAsync(ICallObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnobserveAsync(ICallObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task<CommandResult> AcceptAsync(string agentId, long epoch)
    {
        if (InputLimits.Id(agentId, "agentId") is { } invalidInput)
        {
            return invalidInput;
        }

        var result = await AcceptOfferAsync(agentId, epoch);
        if (result.Status is CommandStatus.StaleEpoch or CommandStatus.InvalidState)
        {
            // The agent accepted, too late for this call: an expiry that charged it with a missed offer meanwhile is taken back.
            await GrainFactory.AgentReservations(agentId).LateAcceptAsync(CallId, epoch);
        }

        return result;
    }

    private async Task<CommandResult> AcceptOfferAsync(string agentId, long epoch)
    {
        if (CallLifecycle.IsWithAgent(S.State))
        {
            return S.AgentId == agentId && S.OfferEpoch == epoch
                ? CommandResult.AlreadyDone
                : CommandResult.Stale($"call '{CallId}' is already with agent '{S.AgentId}'");
        }

        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is null)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not waiting for an agent");
        }

        var confirmed = await Queue(S.QueueId).ConfirmAcceptAsync(CallId, agentId, epoch);
        if (!confirmed.Succeeded)
        {
            return confirmed;
        }

        var now = Now;
        S.AgentId = agentId;
        S.OfferEpoch = epoch;
        S.WaitSeconds = S.Ticket is null ? 0 : Math.Max(0, (now - (S.Ticket.EnteredThisQueueAt ?? S.Ticket.EnqueuedAt)).TotalSeconds);
        metrics.WaitEnded(S.WaitSeconds, answered: true, S.QueueId, S.Arrival?.SiteId);
        Move(CallState.Connecting);
        Record(CallEventKind.Accepted, $"epoch {epoch}", agentId, S.QueueId);
        if (S.Arrival?.MediaManagedByEdge != true)
        {
            Connect(now);
        }

        StopWatchdog();
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public Task<CommandResult> RejectAsync(string agentId, long epoch) => EndOfferAsync(agentId, epoch, OfferOutcome.Declined);

    /// <summary>The offer ends without an accept, for <paramref name="outcome"/> (which says whether the agent is charged with it).</summary>
    private async Task<CommandResult> EndOfferAsync(string agentId, long epoch, OfferOutcome outcome)
    {
        if (InputLimits.Id(agentId, "agentId") is { } invalidInput)
        {
            return invalidInput;
        }

        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is null)
        {
            return CommandResult.Stale($"call '{CallId}' is {S.State}: there is no offer to reject");
        }

        var result = await Queue(S.QueueId).FailOfferAsync(CallId, agentId, epoch, outcome);
        if (result.Succeeded)
        {
            Move(CallState.Queued);
            S.OfferEpoch = null;
            Record(CallEventKind.OfferRejected, outcome == OfferOutcome.Declined ? $"epoch {epoch}" : $"epoch {epoch}: {outcome}", agentId, S.QueueId);
            await state.WriteStateAsync();
        }

        return result;
    }

    public Task<CommandResult> HoldAsync(string agentId) => ToggleHoldAsync(agentId, hold: true);

    public Task<CommandResult> ResumeAsync(string agentId) => ToggleHoldAsync(agentId, hold: false);

    private async Task<CommandResult> ToggleHoldAsync(string agentId, bool hold)
    {
        if (InputLimits.Id(agentId, "agentId") is { } invalidInput)
        {
            return invalidInput;
        }

        if (S.AgentId != agentId)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        var (from, to, kind) = hold
            ? (CallState.Connected, CallState.Held, CallEventKind.Held)
            : (CallState.Held, CallState.Connected, CallEventKind.Resumed);
        if (S.State == to)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State != from)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}");
        }

        Move(to);
        Record(kind, agentId: agentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public Task<CommandResult> HangUpAsync(CallParty party, string? reason = null) => HangUpAtAsync(party, reason, Now);

    /// <summary>Ends the call as hung up by <paramref name="party"/> at <paramref name="endedAt"/> (now, or earlier when the hang-up arrived late). Repeating it is a no-op.</summary>
    private async Task<CommandResult> HangUpAtAsync(CallParty party, string? reason, DateTimeOffset endedAt)
    {
        if (InputLimits.Reason(reason) is { } invalidInput)
        {
            return invalidInput;
        }

        if (S.State == CallState.Ended)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State == CallState.New)
        {
            return new CommandResult(CommandStatus.NotFound, $"call '{CallId}' never arrived");
        }

        var outcome = CallLifecycle.OutcomeOfHangUp(S.State, party);
        if (CallLifecycle.IsWaiting(S.State) && S.QueueId is { } queueId)
        {
            if (S.Ticket is { } ticket)
            {
                S.WaitSeconds = Math.Max(0, (endedAt - (ticket.EnteredThisQueueAt ?? ticket.EnqueuedAt)).TotalSeconds);
                metrics.WaitEnded(S.WaitSeconds, answered: false, queueId, S.Arrival?.SiteId);
            }

            await Queue(queueId).RemoveAsync(CallId, CallEventKind.Ended);
        }
        else if (CallLifecycle.IsWithAgent(S.State) && S.AgentId is { } agentId)
        {
            await ReleaseConsultedAgentAsync();
            await ReleaseAgentAsync(agentId, TalkSeconds(endedAt));
        }

        var detail = reason ?? (outcome == CallOutcome.Abandoned
            ? (S.State is CallState.Arrived or CallState.InIvr ? "abandoned in IVR" : "abandoned in queue")
            : $"hung up by {party.ToString().ToLowerInvariant()}");
        await EndAsync(outcome, detail, endedAt);
        return CommandResult.Ok;
    }

    public async Task<CommandResult> AttachDataAsync(IReadOnlyDictionary<string, string> data)
    {
        if (S.State is CallState.New or CallState.Ended)
        {
            return CommandResult.Invalid($"no data can be attached to a call that is {S.State}");
        }

        if (InputLimits.CheckAttachedData(S.AttachedData.Keys, data) is { } refused)
        {
            return refused;
        }

        foreach (var (key, value) in data)
        {
            S.AttachedData[key] = value ?? string.Empty;
        }

        Record(CallEventKind.DataAttached, string.Join(",", data.Keys));
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> AddNoteAsync(string agentId, string note)
    {
        if ((InputLimits.Id(agentId, "agentId") ?? InputLimits.Note(note)) is { } invalidInput)
        {
            return invalidInput;
        }

        if (InputLimits.CheckNote(note) is { } refused)
        {
            return refused;
        }

        if (S.AgentId != agentId && !S.Events.WasAcceptedBy(agentId))
        {
            return CommandResult.Refused($"agent '{agentId}' did not handle call '{CallId}'");
        }

        S.Notes.Add(note);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetDispositionAsync(string agentId, string dispositionCode, string? notes)
    {
        if ((InputLimits.Id(agentId, "agentId") ?? InputLimits.Id(dispositionCode, "dispositionCode") ?? InputLimits.Note(notes, "notes")) is { } invalidInput)
        {
            return invalidInput;
        }

        if (InputLimits.CheckDisposition(dispositionCode, notes) is { } refused)
        {
            return refused;
        }

        if (!HandledBy(agentId))
        {
            return CommandResult.Refused($"agent '{agentId}' did not handle call '{CallId}'");
        }

        if (S.Dispositions.TryGetValue(agentId, out var existing))
        {
            return existing == dispositionCode ? CommandResult.AlreadyDone : CommandResult.Invalid($"agent '{agentId}' already wrapped up call '{CallId}' as '{existing}'");
        }

        S.Dispositions[agentId] = dispositionCode;
        if (notes is { Length: > 0 })
        {
            S.Notes.Add(notes);
        }

        Record(CallEventKind.WrappedUp, dispositionCode, agentId);
        var amended = AmendHistory();
        await state.WriteStateAsync();
        if (amended)
        {
            await FlushHistoryAsync();
        }

        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetRecordingPausedAsync(bool paused)
    {
        if (S.RecordingPaused == paused)
        {
            return CommandResult.AlreadyDone;
        }

        if (paused && S.State is not (CallState.Connected or CallState.Held))
        {
            return CommandResult.Invalid($"only a connected call's recording can be paused; call '{CallId}' is {S.State}");
        }

        S.RecordingPaused = paused;
        Record(paused ? CallEventKind.RecordingPaused : CallEventKind.RecordingResumed);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    /// <summary>Whether the agent holds or held the call (accepted it, or took it over from a consult).</summary>
    private bool HandledBy(string agentId) => S.AgentId == agentId || S.Events.WasHandledBy(agentId);
}
