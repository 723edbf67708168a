namespace CallCenter.EdgeSip.Media;

/// <summary>Something the <see cref="MediaClock"/> calls every 20 ms.</summary>
internal interface IMediaClockListener
{
    /// <summary>Called once per frame, in tick order, never concurrently with another tick of the same clock.</summary>
    void OnTick(long tick);
}

/// <summary>
/// The 20 ms heartbeat shared by every endpoint and recorder: one timer on a <see cref="System.TimeProvider"/>
/// (the system one in production, a fake one in tests) calls each listener in turn. The callback works out how many
/// frames are due from the elapsed time, so a late timer catches up (at most <see cref="MaxCatchUpFrames"/> frames;
/// beyond that the missed frames are skipped rather than sent in a burst). A tick walks an array snapshot of the
/// listeners and allocates nothing.
/// </summary>
public sealed class MediaClock : IAsyncDisposable
{
    public const int SamplesPerFrame = 160;
    public const int SampleRate = 8000;
    public const int MaxCatchUpFrames = 5;
    public static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly long _start;
    private IMediaClockListener[] _listeners = [];
    private long _ticks;
    private int _running;
    private bool _disposed;

    public MediaClock(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        TimeProvider = time;
        _start = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((MediaClock)state!).OnTimer(), this, FrameDuration, FrameDuration);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Frames ticked so far (the number of the next tick).</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Frames the clock fell too far behind for and skipped.</summary>
    public long SkippedTicks { get; private set; }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            _listeners = [];
        }

        _timer.Dispose();

        // Let a tick in progress finish, so nothing is sent after the clock is gone.
        SpinWait spin = default;
        while (Volatile.Read(ref _running) != 0)
        {
            spin.SpinOnce();
        }

        return ValueTask.CompletedTask;
    }

    internal void Add(IMediaClockListener listener)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _listeners = [.. _listeners, listener];
        }
    }

    internal void Remove(IMediaClockListener listener)
    {
        lock (_lock)
        {
            int index = Array.IndexOf(_listeners, listener);
            if (index < 0)
            {
                return;
            }

            var listeners = new IMediaClockListener[_listeners.Length - 1];
            Array.Copy(_listeners, 0, listeners, 0, index);
            Array.Copy(_listeners, index + 1, listeners, index, listeners.Length - index);
            _listeners = listeners;
        }
    }

    private void OnTimer()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            // The previous callback is still ticking; it picks up the frames now due, or the next timer does.
            return;
        }

        try
        {
            while (true)
            {
                long due = TimeProvider.GetElapsedTime(_start).Ticks / FrameDuration.Ticks;
                long ticks = _ticks;
                if (due - ticks > MaxCatchUpFrames)
                {
                    SkippedTicks += due - ticks - MaxCatchUpFrames;
                    ticks = due - MaxCatchUpFrames;
                }

                if (ticks >= due)
                {
                    break;
                }

                for (; ticks < due; ticks++)
                {
                    IMediaClockListener[] listeners = _listeners;
                    foreach (IMediaClockListener listener in listeners)
                    {
                        try
                        {
                            listener.OnTick(ticks);
                        }
                        catch (Exception exception)
                        {
                            // One broken listener must not stop the media of every other call.
                            System.Diagnostics.Trace.TraceError($"media clock listener {listener.GetType().Name} failed: {exception}");
                        }
                    }

                    Volatile.Write(ref _ticks, ticks + 1);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
