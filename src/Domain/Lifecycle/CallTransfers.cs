using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>Whether a transfer or a consult may happen, and the ticket a transferred call waits with: decided from the call's state alone.</summary>
public static class CallTransfers
{
    /// <summary>Null when <paramref name="request"/> may transfer the call <paramref name="holder"/> holds; otherwise why not.</summary>
    public static CommandResult? CheckTransfer(string callId, CallState state, string? holder, bool hasTicket, TransferRequest request)
    {
        if (!CallLifecycle.IsWithAgent(state) || holder is null || !hasTicket)
        {
            return CommandResult.Invalid($"only a call with an agent can be transferred; call '{callId}' is {state}");
        }

        if (request.RequestedByAgentId is { } requester && requester != holder)
        {
            return CommandResult.Refused($"agent '{requester}' does not hold call '{callId}'");
        }

        if (string.IsNullOrWhiteSpace(request.Target))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a transfer needs a target");
        }

        return state == CallState.Consulting
            ? CommandResult.Invalid($"call '{callId}' is in a consult: complete or cancel it first")
            : null;
    }

    /// <summary>
    /// Where a call transferred inside the contact center waits, and with what ticket: its context and original priority,
    /// a fresh wait; a transfer to an agent waits in the call's own queue for that agent only.
    /// </summary>
    public static (string QueueId, QueueTicket Ticket) Requeue(TransferRequest request, QueueTicket ticket, string? currentQueueId, DateTimeOffset now)
    {
        var toAgent = request.Kind == TransferKind.Agent;
        var queueId = toAgent ? currentQueueId ?? throw new InvalidOperationException($"call '{ticket.CallId}' has no queue to wait for agent '{request.Target}' in") : request.Target;
        return (queueId, ticket with
        {
            EnqueuedAt = now,
            EnteredThisQueueAt = now,
            TargetAgentId = toAgent ? request.Target : null,
            LastAgentId = null,
        });
    }

    /// <summary>
    /// Null when <paramref name="request"/> may start a consult on the call; otherwise the answer (AlreadyDone for the
    /// same consult asked again).
    /// </summary>
    public static CommandResult? CheckConsult(string callId, CallState state, string? holder, Consultation? current, ConsultRequest request)
    {
        if (state == CallState.Consulting && current is not null)
        {
            return current.Kind == request.Kind && current.Target == request.Target && holder == request.AgentId
                ? CommandResult.AlreadyDone
                : CommandResult.Invalid($"call '{callId}' is already in a consult with '{current.Target}'");
        }

        if (state is not (CallState.Connected or CallState.Held) || holder is null)
        {
            return CommandResult.Invalid($"only a connected call can be consulted on; call '{callId}' is {state}");
        }

        if (request.AgentId != holder)
        {
            return CommandResult.Refused($"agent '{request.AgentId}' does not hold call '{callId}'");
        }

        if (string.IsNullOrWhiteSpace(request.Target))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a consult needs a target");
        }

        if (request.Kind is not (TransferKind.Agent or TransferKind.External))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a consult goes to an agent or an external party; transfer to a queue directly");
        }

        return request.Kind == TransferKind.Agent && request.Target == holder
            ? new CommandResult(CommandStatus.InvalidArgument, "an agent cannot consult themselves")
            : null;
    }
}
