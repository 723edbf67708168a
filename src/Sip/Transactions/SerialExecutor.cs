namespace CallCenter.Sip.Transactions;

/// <summary>
/// Runs work items one at a time, in order. A post from a thread while nothing runs executes
/// inline (so a fake clock's Advance sees the effects before it returns); a post while an item
/// runs, from any thread or from the item itself, is queued and run by the thread already
/// draining. Transaction state is only touched from here, so it needs no locks.
/// </summary>
internal sealed class SerialExecutor
{
    private readonly Queue<Action> _queue = new();
    private readonly Action<Exception> _onError;
    private bool _running;

    public SerialExecutor(Action<Exception> onError)
    {
        _onError = onError;
    }

    public void Post(Action work)
    {
        lock (_queue)
        {
            _queue.Enqueue(work);
            if (_running)
            {
                return;
            }

            _running = true;
        }

        while (true)
        {
            Action next;
            lock (_queue)
            {
                if (_queue.Count == 0)
                {
                    _running = false;
                    return;
                }

                next = _queue.Dequeue();
            }

            try
            {
                next();
            }
#pragma warning disable CA1031 // A failing item (usually a TU handler) must not stop the layer.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _onError(exception);
            }
        }
    }
}
