using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>
/// The durable half of the edge's lease. The lease timer lives in the activation; when the call's silo is lost together
/// with its edge, nothing calls the call again and the timer is gone with the silo. An Orleans reminder (stored with the
/// cluster: Redis, or memory for one machine) brings the call back on a surviving silo, where the lease check ends it as
/// "edge lost". Only edge-leased calls have one: one registration when the lease starts, one removal when the call ends.
/// </summary>
internal sealed partial class CallGrain : IRemindable
{
    public const string EdgeLeaseReminderName = "edge-lease";

    private IGrainReminder? _edgeLeaseReminder;

    /// <summary>True when registering failed (the reminder table unavailable); the lease timer tries again.</summary>
    private bool _edgeLeaseReminderMissing;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != EdgeLeaseReminderName)
        {
            return;
        }

        if (S.State == CallState.Ended || !S.EdgeLeased)
        {
            // Its removal at the end failed, or the call ended where no reminder service answered: remove it now.
            await UnregisterEdgeLeaseReminderAsync();
            return;
        }

        await ProcessDueWorkAsync();
    }

    private async Task RegisterEdgeLeaseReminderAsync()
    {
        var period = leaseOptions.Value.EdgeLeaseReminderPeriod;
        try
        {
            _edgeLeaseReminder = await this.RegisterOrUpdateReminder(EdgeLeaseReminderName, period, period);
            _edgeLeaseReminderMissing = false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The call goes on: its activation's timer still checks the lease, and retries the registration.
            _edgeLeaseReminderMissing = true;
            LogReminderNotRegistered(exception, CallId);
        }
    }

    private async Task UnregisterEdgeLeaseReminderAsync()
    {
        try
        {
            var reminder = _edgeLeaseReminder ?? await this.GetReminder(EdgeLeaseReminderName);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }

            _edgeLeaseReminder = null;
            _edgeLeaseReminderMissing = false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The reminder fires once more on the ended call, which removes it then.
            LogReminderNotRemoved(exception, CallId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}'s edge-lease reminder could not be registered; its lease timer retries (a lost silo would leave the call unchecked until then)")]
    private partial void LogReminderNotRegistered(Exception exception, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}'s edge-lease reminder could not be removed at its end; its next tick removes it")]
    private partial void LogReminderNotRemoved(Exception exception, string callId);
}
