using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// Callers as the SIP edge presents them to the grains: a call arrives (<c>ICallGrain.ArriveAsync</c>) and is queued by
/// its dialled number (<c>EnqueueAsync</c>), as the edge and <c>POST /api/calls</c> do. Callers are patient (none hangs up
/// while waiting), so every call placed must end answered. A request that fails because a silo died is retried with the
/// same call id, as the edge retries: both commands are idempotent.
/// </summary>
public sealed class SimulatedCallers(IClusterClient client, LoadLedger ledger, string dialledNumber, TimeSpan gap)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<Task> _callers = [];
    private CancellationTokenSource? _stop;
    private Task? _arrivals;
    private int _sequence;

    private int _failedAttempts;

    /// <summary>Requests the cluster failed (a silo gone, storage away), each then retried.</summary>
    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _arrivals = ArriveAsync(_stop.Token);
    }

    /// <summary>Stops new arrivals and waits until every caller already dialling has been queued.</summary>
    public async Task StopAsync()
    {
        _stop?.Cancel();
        if (_arrivals is not null)
        {
            await _arrivals;
        }

        List<Task> callers;
        lock (_callers)
        {
            callers = [.. _callers];
        }

        await Task.WhenAll(callers);
    }

    private async Task ArriveAsync(CancellationToken stop)
    {
        var sites = new[] { "london", "manchester" };
        while (!stop.IsCancellationRequested)
        {
            var number = Interlocked.Increment(ref _sequence);
            var caller = PlaceAsync($"call-{_run}-{number}", sites[number % sites.Length]);
            lock (_callers)
            {
                _callers.Add(caller);
            }

            try
            {
                // Pacing of the arrivals, not synchronisation: callers keep coming at this rate whatever the cluster does.
                await Task.Delay(gap, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task PlaceAsync(string callId, string siteId)
    {
        ledger.CallPlaced(callId);
        var call = client.GetGrain<ICallGrain>(callId);
        var arrival = new CallArrival { SiteId = siteId, DialledNumber = dialledNumber, CallerNumber = $"+44161{Random.Shared.Next(1000000, 9999999)}" };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                await call.ArriveAsync(arrival);
                var queued = await call.EnqueueAsync();
                if (queued.Status is EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued)
                {
                    return;
                }

                // Refused after a retry: an earlier attempt queued the call and it has moved on (offered, answered).
                var snapshot = await call.GetAsync();
                if (snapshot.State is not (CallState.New or CallState.Arrived))
                {
                    return;
                }

                ledger.Violation($"call {callId} could not be queued: {queued.Status} {queued.Message}");
                return;
            }
            catch (Exception exception) when (DateTime.UtcNow < deadline)
            {
                // Whatever the failure (a silo unreachable, a timeout, storage down), the caller tries again; the test
                // judges the outcome of the call, not the errors on the way.
                ledger.RequestFailed(exception);
                Interlocked.Increment(ref _failedAttempts);
                await Task.Delay(200);
            }
        }
    }
}
