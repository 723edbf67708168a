using CallCenter.Domain.Lifecycle;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>The call record's outbox: written when the call ends, amended by what arrives after (survey, disposition, wrap-up), retried until the history store takes it.</summary>
internal sealed partial class CallGrain
{
    private IGrainTimer? _historyRetry;

    /// <summary>After the end, a change the record carries (survey, disposition, wrap-up) makes a new revision to write.</summary>
    private bool AmendHistory()
    {
        if (S.State != CallState.Ended || S.HistoryRevision == 0)
        {
            return false;
        }

        S.HistoryRevision++;
        S.HistoryPending = true;
        return true;
    }

    /// <summary>
    /// Hands the pending record to the history store. The pending flag is in the grain's state, written before this is
    /// called, so a store that is briefly unavailable only delays the record: a timer (which keeps the grain active)
    /// retries it, and an activation that finds the flag set retries too. A record written twice is one record to every
    /// reader (latest revision per call id).
    /// </summary>
    private Task FlushHistoryAsync() => FlushHistoryAsync(retryLater: true);

    private async Task FlushHistoryAsync(bool retryLater)
    {
        if (!S.HistoryPending)
        {
            StopHistoryRetry();
            return;
        }

        var revision = S.HistoryRevision;
        try
        {
            await history.AppendAsync(CallViews.Record(CallId, S, Now));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogHistoryUnavailable(exception, CallId);
            if (retryLater)
            {
                StartHistoryRetry();
            }

            return;
        }

        if (S.HistoryRevision == revision)
        {
            S.HistoryPending = false;
            await state.WriteStateAsync();
            StopHistoryRetry();
        }
    }

    private void StartHistoryRetry() => _historyRetry ??= this.RegisterGrainTimer(
        FlushHistoryAsync, new GrainTimerCreationOptions(HistoryRetryEvery, HistoryRetryEvery) { KeepAlive = true });

    private void StopHistoryRetry()
    {
        _historyRetry?.Dispose();
        _historyRetry = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The history store did not take the record of call {CallId}; it is kept and retried")]
    private partial void LogHistoryUnavailable(Exception exception, string callId);
}
