using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The edge call's hold on its call grain: the observer reference the grain notifies, and the lease renewed every
/// few seconds that keeps the grain from ending the call as lost with its edge.
/// </summary>
internal sealed partial class EdgeLease(EdgeServices edge, ICallGrain grain, string callId, ICallObserver observer) : IAsyncDisposable
{
    /// <summary>How long the grain's reference to this call stays after the call: its last notice may come late.</summary>
    private static readonly TimeSpan NoticeGrace = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _ended = new();
    private readonly ILogger _logger = edge.Logger;
    private ICallObserver? _reference;
    private Task? _renewal;

    /// <summary>Registers the observer with the grain (before the call arrives, so no notice is missed).</summary>
    public async Task ObserveAsync()
    {
        var reference = _reference ??= edge.Grains.CreateObjectReference<ICallObserver>(observer);
        await edge.Retry.RunAsync("observe", callId, () => grain.ObserveAsync(reference), GrainCallRetry.ArrivalGiveUpAfter);
    }

    public void StartRenewing() => _renewal = RenewAsync(_ended.Token);

    /// <summary>Stops renewing (a renewal in flight is awaited).</summary>
    public async ValueTask DisposeAsync()
    {
        await _ended.CancelAsync();
        if (_renewal is { } renewal)
        {
            await renewal;
        }

        _ended.Dispose();
    }

    /// <summary>Deletes the grain's reference to the observer after a grace (its last notice may come late).</summary>
    public void Release()
    {
        if (_reference is { } reference)
        {
            _ = DeleteReferenceLaterAsync(reference);
        }
    }

    private async Task DeleteReferenceLaterAsync(ICallObserver reference)
    {
        await Task.Delay(NoticeGrace, edge.Time);
        edge.Grains.DeleteObjectReference<ICallObserver>(reference);
    }

    /// <summary>
    /// Tells the call grain every few seconds that this edge still carries the call; it also re-adds the observer to
    /// an activation that moved silo (the snapshot it returns catches the call up).
    /// </summary>
    private async Task RenewAsync(CancellationToken ended)
    {
        while (!ended.IsCancellationRequested)
        {
            try
            {
                var every = TimeSpan.FromSeconds(edge.Options.LeaseRenewalSeconds);
                await Task.Delay(every, edge.Time, ended);
                if (_reference is { } reference)
                {
                    // A renewal held by a frozen silo's gateway must not hold up the next one, which may reach the grain.
                    var renewal = grain.EdgeAliveAsync(reference);
                    _ = renewal.ContinueWith(static abandoned => abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    observer.OnCallChanged(CallNotice.Of(await renewal.WaitAsync(Max(every, GrainCallRetry.AttemptTimeout), edge.Time, ended)));
                }
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (GrainCallFaults.IsTransient(exception))
            {
                // A silo is being replaced (or storage restarting): the next renewal reaches the call's new activation.
                LogLeaseRenewalFailed(exception, callId);
            }
        }
    }

    private static TimeSpan Max(TimeSpan first, TimeSpan second) => first > second ? first : second;

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} could not renew its lease on the call grain; trying again")]
    private partial void LogLeaseRenewalFailed(Exception exception, string callId);
}
