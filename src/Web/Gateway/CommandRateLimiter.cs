using System.Threading.RateLimiting;
using CallCenter.Web.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CallCenter.Web.Gateway;

/// <summary>
/// Per-user limits on gRPC commands: <c>CommandsPerMinute</c> a user (by the session's user id) on a
/// <see cref="PartitionedRateLimiter{TResource}"/> read from the contact center's clock. Login is limited by the login
/// throttle instead (it has no user yet).
/// </summary>
public sealed class CommandRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CommandRateLimits(int perMinute, TimeProvider time) =>
        _limiter = PartitionedRateLimiter.Create<string, string>(
            userId => RateLimitPartition.Get(userId, _ => new FailureWindowLimiter(perMinute, TimeSpan.FromMinutes(1), time, _ => { })),
            StringComparer.Ordinal);

    /// <summary>Takes one permit of <paramref name="userId"/>; false when the user has used the minute's.</summary>
    public bool TryTake(string userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Refuses a user's gRPC command past its limit with RESOURCE_EXHAUSTED (unary and streams alike).</summary>
internal sealed class CommandRateLimiter(CommandRateLimits limits) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Take(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Take(context);
        return continuation(request, responseStream, context);
    }

    private void Take(ServerCallContext context)
    {
        // Anonymous methods (Login) have no session principal: the login throttle limits them.
        if (context.GetHttpContext().User.SessionPrincipal() is { } principal && !limits.TryTake(principal.UserId))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many commands from this user: try again in a minute"));
        }
    }
}
