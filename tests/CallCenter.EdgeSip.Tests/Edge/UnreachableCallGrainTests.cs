using System.Globalization;
using System.Net;
using System.Reflection;
using CallCenter.EdgeSip.Calls;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// Every INVITE gets a final response: when the call's grain cannot be reached (its silo gone, Redis restarting) the
/// edge retries within a bound, then refuses the INVITE with 503 and a Retry-After instead of leaving it at 100 Trying.
/// A second edge is started on the collection's cluster, through a grain factory whose call grains are unreachable.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class UnreachableCallGrainTests(EdgeFixture fixture)
{
    private const string SdpOffer = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    [Theory]
    [InlineData("silo unavailable")]
    [InlineData("not transient")]
    [InlineData("held by a frozen silo")]
    public async Task CallGrainUnreachable_InviteGets503WithRetryAfter_NeverOnly100Trying(string fault)
    {
        var options = new SipEdgeOptions
        {
            SiteId = EdgeFixture.Site,
            Port = 0,
            Realm = EdgeFixture.Realm,
            RtpPortFirst = 34000,
            RtpPortLast = 34099,
            Trunks = [EdgeFixture.TrunkAddress + "/32"],
            RingSeconds = 0,
        };
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EdgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        Exception? failure = fault switch
        {
            "not transient" => new InvalidOperationException("the call grain failed"),
            "silo unavailable" => new SiloUnavailableException("the call grain's silo is gone"),
            _ => null,
        };
        await using var edge = new SipEdge(options, new UnreachableCallGrains(fixture.Grains, failure), TimeProvider.System, metrics, NullLogger<SipEdge>.Instance);
        await edge.StartAsync();

        using var caller = new RawSipPeer(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, edge.Port));
        var callId = "unreachable-" + Guid.NewGuid().ToString("N");
        await caller.SendAsync(caller.Request("INVITE", "7001", callId, fromUser: "5550100", extraHeaders: ["Content-Type: application/sdp"], body: SdpOffer));

        RawSipResponse answer;
        do
        {
            // Within the arrival retries' budget (and a margin): a provisional response may come first, never only that.
            (_, answer) = await caller.ReceiveUntilAsync(callId, GrainCallRetry.ArrivalGiveUpAfter + TimeSpan.FromSeconds(5));
        }
        while (answer.StatusCode < 200);

        Assert.Equal(503, answer.StatusCode);
        Assert.True(int.Parse(answer.Header("Retry-After")!, CultureInfo.InvariantCulture) >= 1, answer.Text);
        Assert.NotNull(answer.Parse().To?.Tag);
    }

    /// <summary>The cluster's grain factory, except that every call to a call grain fails with <c>failure</c>, or never ends when it is null.</summary>
    private sealed class UnreachableCallGrains(IGrainFactory inner, Exception? failure) : IGrainFactory
    {
        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithStringKey =>
            typeof(TGrainInterface) == typeof(ICallGrain) ? (TGrainInterface)Unreachable() : inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithGuidKey => inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithIntegerKey => inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithGuidCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
            where TGrainInterface : IGrainWithIntegerCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

        public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
            where TGrainObserverInterface : IGrainObserver => inner.CreateObjectReference<TGrainObserverInterface>(obj);

        public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
            where TGrainObserverInterface : IGrainObserver => inner.DeleteObjectReference<TGrainObserverInterface>(obj);

        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

        public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
            where TGrainInterface : IAddressable => inner.GetGrain<TGrainInterface>(grainId);

        public IAddressable GetGrain(GrainId grainId) => inner.GetGrain(grainId);

        public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => inner.GetGrain(grainId, interfaceType);

        public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey, string grainClassNamePrefix) => inner.GetGrain(grainInterfaceType, grainKey, grainClassNamePrefix);

        public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey) => inner.GetGrain(grainInterfaceType, grainKey);

        private object Unreachable()
        {
            var grain = DispatchProxy.Create<ICallGrain, FailingGrain>();
            ((FailingGrain)(object)grain).Failure = failure;
            return grain;
        }
    }

    public class FailingGrain : DispatchProxy
    {
        /// <summary>What every call fails with; null: every call is held for ever (a frozen silo's gateway).</summary>
        public Exception? Failure { get; set; } = new SiloUnavailableException();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var returnType = targetMethod!.ReturnType;
            if (Failure is null)
            {
                var held = typeof(TaskCompletionSource<>).MakeGenericType(returnType == typeof(Task) ? typeof(bool) : returnType.GetGenericArguments()[0]);
                return held.GetProperty(nameof(TaskCompletionSource<bool>.Task))!.GetValue(Activator.CreateInstance(held));
            }

            if (returnType == typeof(Task))
            {
                return Task.FromException(Failure);
            }

            // Task<T>: a faulted task of the method's own result type.
            var fromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
            return fromException.MakeGenericMethod(returnType.GetGenericArguments()[0]).Invoke(null, [Failure]);
        }
    }
}
