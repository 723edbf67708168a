using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using Orleans.Storage;

namespace CallCenter;

/// <summary>
/// Which failures of a grain call are transient (a silo frozen or lost, a connection dropped, storage briefly
/// unavailable), so the caller may repeat an idempotent call. It names only types every Orleans client can load: a
/// provider's exception (Redis storage's <c>RedisStorageException</c>, say) lives in an assembly a client such as the
/// SIP edge does not reference, reaches it as <see cref="UnavailableExceptionFallbackException"/> and is recognised
/// here by its type's name, so no exception filter depends on an assembly its process lacks.
/// </summary>
public static class GrainCallFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException
            or GatewayTooBusyException or InconsistentStateException => true,
        UnavailableExceptionFallbackException fallback => IsStorageFailure(fallback.ExceptionType) || (fallback.InnerException is { } inner && IsTransient(inner)),
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsTransient(aggregate.InnerExceptions[0]),
        OrleansException => true,
        _ => IsStorageFailure(exception.GetType().FullName) || (exception.InnerException is { } cause && IsTransient(cause)),
    };

    /// <summary>A storage provider's failure, by type name (RedisStorageException, a Redis connection or timeout error, and the like).</summary>
    public static bool IsStorageFailure(string? typeName)
    {
        if (typeName is null)
        {
            return false;
        }

        var name = typeName.Split(',')[0];
        return name.EndsWith("StorageException", StringComparison.Ordinal)
            || name.StartsWith("StackExchange.Redis.Redis", StringComparison.Ordinal) && name.EndsWith("Exception", StringComparison.Ordinal);
    }
}
