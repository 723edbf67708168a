using Orleans.Serialization;

namespace CallCenter.Tests.Persistence;

/// <summary>
/// Storage failures are classified by a type every process can load: a client without the storage provider's assembly
/// (the SIP edge has no Redis persistence) receives the provider's exception as Orleans' fallback, and it still counts
/// as transient; a process that has the assembly sees the real type, and it counts too.
/// </summary>
public sealed class GrainCallFaultsTests
{
    public static TheoryData<Type> StorageProviderExceptionTypes()
    {
        var redisPersistence = typeof(Orleans.Persistence.RedisStorageOptions).Assembly;
        var types = redisPersistence.GetTypes().Where(type => typeof(Exception).IsAssignableFrom(type) && !type.IsAbstract).ToList();
        Assert.NotEmpty(types);
        var data = new TheoryData<Type>();
        foreach (var type in types)
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StorageProviderExceptionTypes))]
    public void StorageProviderException_IsTransient_AsItselfAndAsTheFallbackAClientWithoutItsAssemblyGets(Type type)
    {
        Assert.True(GrainCallFaults.IsStorageFailure(type.AssemblyQualifiedName), type.FullName);
        Assert.True(GrainCallFaults.IsTransient(Fallback(type.AssemblyQualifiedName!)), type.FullName);
        if (Activator.CreateInstance(type, "storage unavailable") is Exception real)
        {
            Assert.True(GrainCallFaults.IsTransient(real), type.FullName);
        }
    }

    [Fact]
    public void SiloAndConnectionFaults_AreTransient_ApplicationErrorsAreNot()
    {
        Assert.True(GrainCallFaults.IsTransient(new TimeoutException()));
        Assert.True(GrainCallFaults.IsTransient(new SiloUnavailableException()));
        Assert.True(GrainCallFaults.IsTransient(new AggregateException(new SiloUnavailableException())));
        Assert.True(GrainCallFaults.IsTransient(new InvalidOperationException("wrapped", new TimeoutException())));

        Assert.False(GrainCallFaults.IsTransient(new InvalidOperationException("call 'x' cannot move from Ended to Queued")));
        Assert.False(GrainCallFaults.IsTransient(new ArgumentException("bad input")));
        Assert.False(GrainCallFaults.IsTransient(Fallback("System.ArgumentException, System.Private.CoreLib")));
        Assert.False(GrainCallFaults.IsTransient(new OperationCanceledException()));
    }

    private static UnavailableExceptionFallbackException Fallback(string typeName)
    {
        var fallback = new UnavailableExceptionFallbackException("a failure from a silo", null!);
        typeof(UnavailableExceptionFallbackException).GetProperty(nameof(UnavailableExceptionFallbackException.ExceptionType))!.SetValue(fallback, typeName);
        return fallback;
    }
}
