namespace CallCenter.Sip.Transactions;

/// <summary>
/// A one-shot timer whose expiry is run on the layer's executor. Stopping or restarting it makes
/// an expiry that was already queued a no-op, so a stale timer can never act.
/// </summary>
internal sealed class TransactionTimer
{
    private readonly TimeProvider _timeProvider;
    private readonly SerialExecutor _executor;
    private readonly Action _onExpired;
    private ITimer? _timer;
    private int _generation;

    public TransactionTimer(TimeProvider timeProvider, SerialExecutor executor, Action onExpired)
    {
        _timeProvider = timeProvider;
        _executor = executor;
        _onExpired = onExpired;
    }

    /// <summary>The interval the timer was last started with.</summary>
    public TimeSpan Interval { get; private set; }

    public bool IsRunning => _timer is not null;

    public void Start(TimeSpan dueTime)
    {
        Stop();
        Interval = dueTime;
        int generation = _generation;
        if (dueTime <= TimeSpan.Zero)
        {
            // Reliable transports set timers D, I, J and K to zero: expire right after the current item.
            _executor.Post(() => Fire(generation));
            return;
        }

        _timer = _timeProvider.CreateTimer(
            _ => _executor.Post(() => Fire(generation)),
            null,
            dueTime,
            Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    private void Fire(int generation)
    {
        if (generation != _generation)
        {
            return;
        }

        _timer?.Dispose();
        _timer = null;
        _onExpired();
    }
}
