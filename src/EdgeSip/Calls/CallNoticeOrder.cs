using CallCenter.Model;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The call grain's notices may overtake each other on the way: each carries the call's sequence, and one older than
/// the last passed on (a lower or equal sequence) is dropped. Thread-safe (notices come on Orleans' threads and from
/// the lease renewal).
/// </summary>
internal sealed class CallNoticeOrder
{
    private readonly Lock _lock = new();
    private long _lastSequence;

    /// <summary>Passes the notice's call on when it is newer than every notice passed so far (in sequence order: under the lock).</summary>
    public bool PassIfNewer(CallNotice notice, Action<CallSnapshot> pass)
    {
        lock (_lock)
        {
            if (notice.Sequence <= _lastSequence)
            {
                return false;
            }

            _lastSequence = notice.Sequence;
            pass(notice.Call);
            return true;
        }
    }
}
