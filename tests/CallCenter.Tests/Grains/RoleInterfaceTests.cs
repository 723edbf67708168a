using CallCenter.Grains;
using CallCenter.Grains.Contracts;
using CallCenter.Model;

namespace CallCenter.Tests.Grains;

/// <summary>What only grains may send is not on any public interface, so no client (edge, gateway, desk) can call it.</summary>
public sealed class RoleInterfaceTests
{
    private static readonly Type[] InternalContracts =
        [typeof(ICallNotices), typeof(IAgentReservations), typeof(IQueueRouting), typeof(ISitePresence), typeof(IRoutingViewReports)];

    [Fact]
    public void GrainOnlyContracts_AreInternalToTheGrains()
    {
        Assert.All(InternalContracts, contract => Assert.False(contract.IsPublic, $"{contract.Name} is public"));
    }

    [Fact]
    public void PublicGrainInterfaces_CarryNoGrainOnlyMethod_NorTimerHook()
    {
        var grainOnly = InternalContracts.SelectMany(contract => contract.GetMethods()).Select(method => method.Name).ToHashSet();
        // Same names, other methods: the edge enqueues by queue id, an admin removes an agent.
        grainOnly.ExceptWith(["RemoveAsync", "EnqueueAsync"]);
        var publicInterfaces = typeof(ICallGrain).Assembly.GetTypes().Where(type => type.IsInterface && type.IsPublic && typeof(IAddressable).IsAssignableFrom(type));

        var exposed = publicInterfaces
            .SelectMany(type => type.GetMethods().Select(method => $"{type.Name}.{method.Name}"))
            .Where(name => grainOnly.Contains(name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]))
            .ToList();

        Assert.Empty(exposed);
        Assert.DoesNotContain(typeof(ICallGrain).GetInterfaces().Append(typeof(ICallGrain)).SelectMany(type => type.GetMethods()), method => method.Name == "ProcessDueWorkAsync");
    }

    [Fact]
    public void CallGrain_IsTheDesksAndTheEdgesRoles()
    {
        Assert.True(typeof(ICallDesk).IsAssignableFrom(typeof(ICallGrain)));
        Assert.True(typeof(ICallEdge).IsAssignableFrom(typeof(ICallGrain)));
        Assert.Contains(typeof(ICallDesk).GetMethods(), method => method.Name == nameof(ICallDesk.AcceptAsync));
        Assert.Contains(typeof(ICallEdge).GetMethods(), method => method.Name == nameof(ICallEdge.EdgeAliveAsync));
    }

    [Fact]
    public void CallObserver_GetsANoticeWithASequence_NotASnapshotWithTheTimeline()
    {
        var method = Assert.Single(typeof(ICallObserver).GetMethods());
        Assert.Equal(typeof(CallNotice), Assert.Single(method.GetParameters()).ParameterType);
    }
}
