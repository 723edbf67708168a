namespace CallCenter.Grains.Persistence;

/// <summary>
/// Lets a reentrant grain await "my change is written" without two writes ever running at once: one write is in flight,
/// and every change made meanwhile is carried by the next write, which all their callers await together.
/// Single-threaded, as grain turns are.
/// </summary>
public sealed class CoalescingWriter(Func<Task> write)
{
    private readonly List<(long Version, TaskCompletionSource Done)> _waiters = [];
    private long _requested;
    private long _written;
    private Task? _loop;

    public Task WriteAsync()
    {
        var version = ++_requested;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((version, done));
        if (_loop is null || _loop.IsCompleted)
        {
            _loop = LoopAsync();
        }

        return done.Task;
    }

    private async Task LoopAsync()
    {
        while (_written < _requested)
        {
            var version = _requested;
            Exception? failure = null;
            try
            {
                await write();
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            _written = version;
            Complete(version, failure);
        }
    }

    private void Complete(long version, Exception? failure)
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            var (waiting, done) = _waiters[i];
            if (waiting > version)
            {
                continue;
            }

            _waiters.RemoveAt(i);
            if (failure is null)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(failure);
            }
        }
    }
}
