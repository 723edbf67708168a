using CallCenter.Model;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The call grain's notices may overtake each other on the way: an older one than the last passed on is dropped.
/// Thread-safe (notices come on Orleans' threads and from the lease renewal).
/// </summary>
internal sealed class CallNoticeOrder
{
    private readonly Lock _lock = new();
    private long _lastVersion;

    /// <summary>
    /// A snapshot's version, the one place the edge reads it: each notice carries the whole timeline today, so its
    /// length grows with every change.
    /// </summary>
    public static long VersionOf(CallSnapshot call) => call.Timeline.Count;

    /// <summary>Passes <paramref name="call"/> on when it is newer than every snapshot passed so far (in version order: under the lock).</summary>
    public bool PassIfNewer(CallSnapshot call, Action<CallSnapshot> pass)
    {
        lock (_lock)
        {
            var version = VersionOf(call);
            if (version <= _lastVersion)
            {
                return false;
            }

            _lastVersion = version;
            pass(call);
            return true;
        }
    }
}
