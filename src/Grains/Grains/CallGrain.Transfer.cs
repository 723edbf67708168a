using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Contracts;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>Blind transfer (to a queue, an agent, outside) and consult (attended transfer), and releasing the agents they leave.</summary>
internal sealed partial class CallGrain
{
    public async Task<CommandResult> TransferAsync(TransferRequest request)
    {
        if (InputLimits.Transfer(request) is { } invalidInput)
        {
            return invalidInput;
        }

        if (CallTransfers.CheckTransfer(CallId, S.State, S.AgentId, S.Ticket is not null, request) is { } refused)
        {
            return refused;
        }

        var agentId = S.AgentId!;
        var talk = TalkSeconds();
        if (request.Kind == TransferKind.External)
        {
            Record(CallEventKind.Transferred, request.Target, agentId);
            await ReleaseAgentAsync(agentId, talk);
            await EndAsync(CallOutcome.TransferredOut, request.Target);
            return CommandResult.Ok;
        }

        // The call keeps its context and original priority; it waits afresh in the target queue.
        var (targetQueue, next) = CallTransfers.Requeue(request, S.Ticket!, S.QueueId, Now);
        var result = await Queue(targetQueue).EnqueueAsync(next);
        if (result.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
        {
            return new CommandResult(CommandStatus.Refused, result.Message ?? $"queue '{targetQueue}' refused the call: {result.Status}");
        }

        if (request.Note is { Length: > 0 } note)
        {
            S.Notes.Add(InputLimits.ClipNote(note));
        }

        await ReleaseAgentAsync(agentId, talk);
        Move(CallState.Queued);
        S.QueueId = targetQueue;
        S.Ticket = next;
        S.AgentId = null;
        S.OfferEpoch = null;
        S.ConnectedAt = null;
        Record(CallEventKind.Transferred, $"{request.Kind}:{request.Target}", agentId, targetQueue);
        StartWatchdog();
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> StartConsultAsync(ConsultRequest request)
    {
        if (InputLimits.Consult(request) is { } invalidInput)
        {
            return invalidInput;
        }

        if (CallTransfers.CheckConsult(CallId, S.State, S.AgentId, S.Consult, request) is { } answer)
        {
            return answer;
        }

        var holder = S.AgentId!;
        var epoch = Now.UtcTicks;
        if (request.Kind == TransferKind.Agent)
        {
            var target = GrainFactory.GetGrain<IAgentGrain>(request.Target);
            if (S.Arrival?.MediaManagedByEdge == true && (await target.GetStatusAsync()).PhoneContact is null)
            {
                return CommandResult.Refused($"agent '{request.Target}' has no phone to take the consult");
            }

            // The consulted agent is reserved like an offer, so no queue offers them a call meanwhile.
            var reserved = await GrainFactory.AgentReservations(request.Target).TryReserveAsync(new OfferLease
            {
                CallId = CallId,
                QueueId = S.QueueId ?? string.Empty,
                AgentId = request.Target,
                Epoch = epoch,
                ExpiresAt = Now + ConsultReservation,
                Channel = S.Ticket?.Channel ?? Channel.Voice,
                TenantId = S.Ticket?.TenantId ?? TenantDefinition.DefaultTenantId,
            });
            if (!reserved)
            {
                return CommandResult.Refused($"agent '{request.Target}' is not available for a consult");
            }
        }

        S.Consult = new Consultation(request.Kind, request.Target, epoch);
        Move(CallState.Consulting);
        Record(CallEventKind.ConsultStarted, $"{request.Kind}:{request.Target}", holder, S.QueueId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> ConsultAnsweredAsync()
    {
        if (S.State != CallState.Consulting || S.Consult is not { } consult)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not in a consult");
        }

        if (consult.Answered)
        {
            return CommandResult.AlreadyDone;
        }

        S.Consult = consult with { Answered = true };
        Record(CallEventKind.ConsultAnswered, $"{consult.Kind}:{consult.Target}", S.AgentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> CompleteConsultAsync(string agentId)
    {
        if (InputLimits.Id(agentId, "agentId") is { } invalidInput)
        {
            return invalidInput;
        }

        if (S.State != CallState.Consulting || S.Consult is not { } consult || S.AgentId is not { } holder)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not in a consult");
        }

        if (agentId != holder)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        var talk = TalkSeconds();
        if (consult.Kind == TransferKind.External)
        {
            S.Consult = null;
            Record(CallEventKind.ConsultEnded, "completed", holder);
            Record(CallEventKind.Transferred, consult.Target, holder);
            await ReleaseAgentAsync(holder, talk);
            await EndAsync(CallOutcome.TransferredOut, consult.Target);
            return CommandResult.Ok;
        }

        var wrapUp = S.QueueId is { Length: > 0 } queueId ? (await GrainFactory.GetGrain<IQueueGrain>(queueId).GetStatusAsync()).Definition?.WrapUpSeconds ?? 0 : 0;
        var confirmed = await GrainFactory.AgentReservations(consult.Target).ConfirmAcceptAsync(CallId, consult.Epoch, wrapUp);
        if (!confirmed.Succeeded)
        {
            // The reservation lapsed: the caller goes back to the consulting agent.
            S.Consult = null;
            Move(CallState.Connected);
            Record(CallEventKind.ConsultEnded, $"failed: {confirmed.Message}", holder);
            await state.WriteStateAsync();
            return CommandResult.Refused($"agent '{consult.Target}' can no longer take the call: {confirmed.Message}");
        }

        await ReleaseAgentAsync(holder, talk);
        S.Consult = null;
        S.AgentId = consult.Target;
        S.OfferEpoch = consult.Epoch;
        Record(CallEventKind.ConsultEnded, "completed", holder);
        Record(CallEventKind.Transferred, $"{TransferKind.Agent}:{consult.Target}", holder, S.QueueId);
        Connect(Now);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> CancelConsultAsync(string? agentId, string? reason = null)
    {
        if ((InputLimits.OptionalId(agentId, "agentId") ?? InputLimits.Reason(reason)) is { } invalidInput)
        {
            return invalidInput;
        }

        if (S.State != CallState.Consulting || S.Consult is null)
        {
            return CommandResult.AlreadyDone;
        }

        if (agentId is not null && agentId != S.AgentId)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        await ReleaseConsultedAgentAsync();
        Move(CallState.Connected);
        Record(CallEventKind.ConsultEnded, reason ?? "cancelled", S.AgentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    private Task ReleaseAgentAsync(string agentId, double talkSeconds) =>
        GrainFactory.AgentReservations(agentId).CallEndedAsync(CallId, talkSeconds, S.Arrival?.SiteId ?? S.Ticket?.SiteId ?? string.Empty);

    /// <summary>Frees a consulted agent's reservation (the consult is over without a hand-over).</summary>
    private async Task ReleaseConsultedAgentAsync()
    {
        if (S.Consult is { } consult)
        {
            S.Consult = null;
            if (consult.Kind == TransferKind.Agent)
            {
                await GrainFactory.AgentReservations(consult.Target).ReleaseOfferForAsync(CallId, consult.Epoch, OfferOutcome.Withdrawn);
            }
        }
    }
}
