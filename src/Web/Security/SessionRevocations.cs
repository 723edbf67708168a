using System.Collections.Concurrent;
using CallCenter.Domain;
using CallCenter.Grains;

namespace CallCenter.Web.Security;

/// <summary>
/// Ends this silo's long-lived streams (the desktop's gRPC event stream, the wallboard's server-sent events) when their
/// session is revoked: logout, an admin's sign-out, a changed secret, role, tenant or agent, or the user removed. A request
/// checks the session epoch when it starts; a stream outlives that check, so it is watched here instead. The user
/// directory tells every subscribed silo at once (<see cref="IUserSessionsObserver"/>); the subscription is renewed every
/// minute, and each renewal compares the watched sessions with the directory, so a notice lost with a silo or a
/// reactivated directory is made good within that minute.
/// </summary>
public sealed partial class SessionRevocations : IUserSessionsObserver, IDisposable
{
    /// <summary>What a refused or ended session is told (the token check says the same).</summary>
    public const string EndedMessage = "session ended: logged out, signed out by an admin, or the user's secret or role changed";

    private static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionRevocations> _logger;
    private readonly ConcurrentDictionary<Watch, byte> _watches = new();
    private readonly Lock _subscribing = new();
    private Task? _subscription;
    private IUserSessionsObserver? _reference;
    private ITimer? _renewal;

    public SessionRevocations(IGrainFactory grains, [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider time, ILogger<SessionRevocations> logger)
    {
        _grains = grains;
        _time = time;
        _logger = logger;
    }

    private IUserDirectoryGrain Directory => _grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);

    /// <summary>
    /// Watches <paramref name="principal"/>'s session until the returned watch is disposed; its <see cref="Watch.Ended"/>
    /// is cancelled when the session is revoked (at once when it already was). The loopback operator has no session to revoke.
    /// </summary>
    public async Task<Watch> WatchAsync(Principal principal)
    {
        var watch = new Watch(this, principal.UserId, principal.SessionEpoch);
        if (ReferenceEquals(principal, Principal.LocalOperator))
        {
            return watch;
        }

        _watches.TryAdd(watch, 0);
        try
        {
            await EnsureSubscribedAsync();
            // A revocation between the request's check and the subscription would otherwise go unheard.
            var user = await Directory.FindAsync(principal.UserId);
            if (user is null || user.SessionEpoch != principal.SessionEpoch)
            {
                watch.End();
            }
        }
        catch
        {
            watch.Dispose();
            throw;
        }

        return watch;
    }

    public void OnSessionsEnded(string userId, long sessionEpoch)
    {
        foreach (var watch in _watches.Keys)
        {
            if (watch.UserId == userId && watch.SessionEpoch < sessionEpoch)
            {
                watch.End();
            }
        }
    }

    public void Dispose()
    {
        _renewal?.Dispose();
        if (_reference is not null)
        {
            _grains.DeleteObjectReference<IUserSessionsObserver>(_reference);
        }
    }

    private Task EnsureSubscribedAsync()
    {
        lock (_subscribing)
        {
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _reference ??= _grains.CreateObjectReference<IUserSessionsObserver>(this);
                _subscription = Directory.SubscribeAsync(_reference);
                _renewal ??= _time.CreateTimer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
            }

            return _subscription;
        }
    }

    /// <summary>Renews the subscription and ends the watched sessions the directory no longer vouches for.</summary>
    private async Task RenewAsync()
    {
        try
        {
            await Directory.SubscribeAsync(_reference!);
            foreach (var userId in _watches.Keys.Select(watch => watch.UserId).Distinct(StringComparer.Ordinal).ToList())
            {
                var epoch = (await Directory.FindAsync(userId))?.SessionEpoch ?? long.MaxValue;
                foreach (var watch in _watches.Keys.Where(watch => watch.UserId == userId && watch.SessionEpoch != epoch))
                {
                    watch.End();
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The next renewal tries again; requests are checked one by one meanwhile.
            LogRenewalFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the subscription to session revocations")]
    private partial void LogRenewalFailed(Exception exception);

    /// <summary>One watched stream's session.</summary>
    public sealed class Watch(SessionRevocations owner, string userId, long sessionEpoch) : IDisposable
    {
        private readonly CancellationTokenSource _ended = new();

        public string UserId { get; } = userId;

        public long SessionEpoch { get; } = sessionEpoch;

        /// <summary>Cancelled when the session has been revoked.</summary>
        public CancellationToken Ended => _ended.Token;

        public bool IsRevoked => _ended.IsCancellationRequested;

        public void Dispose()
        {
            owner._watches.TryRemove(this, out _);
            _ended.Dispose();
        }

        // Off the notifying thread: the stream's own continuations run on cancellation.
        internal void End()
        {
            try
            {
                _ = _ended.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The stream has already ended.
            }
        }
    }
}
