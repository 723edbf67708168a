using CallCenter.Model;

namespace CallCenter.Domain.Routing;

/// <summary>When a waiting call has waited long enough in a queue for its overflow action to apply.</summary>
public static class OverflowPolicy
{
    public static bool IsDue(QueueDefinition queue, QueueTicket call, DateTimeOffset now)
    {
        if (queue.Overflow is not { Kind: not OverflowKind.None } overflow || call.IsCallback || call.TargetAgentId is not null)
        {
            return false;
        }

        // Timed from entry into this queue, so a call moved here by overflow is not moved on again at once.
        var enteredAt = call.EnteredThisQueueAt ?? call.EnqueuedAt;
        return (now - enteredAt).TotalSeconds >= overflow.AfterSeconds;
    }

    /// <summary>The ticket the call carries to the overflow queue: same place (original enqueue time and priority).</summary>
    public static QueueTicket TicketForTarget(QueueTicket call, DateTimeOffset now) => call with { EnteredThisQueueAt = now };

    public static string CallbackCallId(string callId) => $"{callId}:cb";
}
