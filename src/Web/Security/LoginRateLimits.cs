using System.Threading.RateLimiting;

namespace CallCenter.Web.Security;

/// <summary>
/// Login attempts per minute, per client address (without its port, <see cref="ClientAddress"/>; behind a configured
/// proxy the forwarded one) and per user id, on a <see cref="PartitionedRateLimiter{TResource}"/> read from the injected
/// clock. Every attempt counts, right or wrong, so it bounds the PBKDF2 work one address or one user id can ask for; the
/// failed-login lockout (<see cref="LoginThrottle"/>) comes after it. One instance serves HTTP and gRPC, so switching
/// transport gains nothing.
/// </summary>
public sealed class LoginRateLimits : IDisposable
{
    /// <summary>What a refused client is told to wait at most (the window's length).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    public const string RefusedMessage = "too many logins from this address or for this user: try again later";

    private readonly PartitionedRateLimiter<string> _attempts;

    public LoginRateLimits(int perAddress, int perUser, TimeProvider time) =>
        _attempts = PartitionedRateLimiter.Create<string, string>(
            key => RateLimitPartition.Get(key, partition =>
                new FailureWindowLimiter(partition.StartsWith("source:", StringComparison.Ordinal) ? perAddress : perUser, RetryAfter, time, _ => { })),
            StringComparer.Ordinal);

    /// <summary>
    /// Takes one attempt of <paramref name="source"/> and, when given, of <paramref name="userId"/>; false (and nothing
    /// taken from the user) when either has used its minute's.
    /// </summary>
    public bool TryAttempt(string source, string? userId)
    {
        using var bySource = _attempts.AttemptAcquire("source:" + source);
        if (!bySource.IsAcquired)
        {
            return false;
        }

        if (string.IsNullOrEmpty(userId))
        {
            return true;
        }

        using var byUser = _attempts.AttemptAcquire("user:" + userId);
        return byUser.IsAcquired;
    }

    public void Dispose() => _attempts.Dispose();
}
