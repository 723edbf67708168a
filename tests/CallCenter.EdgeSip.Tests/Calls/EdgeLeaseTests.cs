using System.Reflection;
using Channel = System.Threading.Channels.Channel;
using CallCenter.EdgeSip.Calls;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Calls;

/// <summary>
/// The edge call's lease renewals: one held by a frozen silo's gateway (never answered, never failed) does not hold up the
/// next, which reaches the grain once the client has moved to a live gateway, so a live call is not ended as lost.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class EdgeLeaseTests(EdgeFixture fixture)
{
    [Fact]
    public async Task RenewalHeldUp_IsAbandoned_AndTheNextRenewalGoesOut()
    {
        var clock = new FakeTimeProvider();
        var options = new SipEdgeOptions { LeaseRenewalSeconds = 1 };
        var edge = new EdgeServices(null!, fixture.Grains, options, null!, null!, null!, clock, null!, NullLogger.Instance);
        var grain = DispatchProxy.Create<ICallGrain, HeldFirstRenewal>();
        var renewals = (HeldFirstRenewal)(object)grain;
        var observer = new NoticeLog();
        // Disposed at the end only: disposing awaits the renewal loop, which a held renewal would block for ever.
        var lease = new EdgeLease(edge, grain, "london~lease", observer);
        await lease.ObserveAsync();

        lease.StartRenewing();
        var every = TimeSpan.FromSeconds(options.LeaseRenewalSeconds);
        clock.Advance(every);
        await renewals.Sent.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        // The first renewal is held; past its bound it is given up and the next one goes out after the period.
        clock.Advance(GrainCallRetry.AttemptTimeout > every ? GrainCallRetry.AttemptTimeout : every);
        await Eventually.HoldsAsync(
            () =>
            {
                // The renewal loop sets its next pause asynchronously: the clock moves on until the renewal is sent.
                clock.Advance(TimeSpan.FromMilliseconds(100));
                return Task.FromResult(renewals.Sent.Reader.TryRead(out _));
            },
            "the next renewal goes out though the first is held",
            seconds: 10);

        var notice = await observer.Notices.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("london~lease", notice.Call.CallId);
        await lease.DisposeAsync();
    }

    private sealed class NoticeLog : ICallObserver
    {
        public System.Threading.Channels.Channel<CallNotice> Notices { get; } = Channel.CreateUnbounded<CallNotice>();

        public void OnCallChanged(CallNotice notice) => Notices.Writer.TryWrite(notice);
    }

    /// <summary>A call grain whose first lease renewal is never answered; the others are.</summary>
    public class HeldFirstRenewal : DispatchProxy
    {
        private int _renewals;

        public System.Threading.Channels.Channel<int> Sent { get; } = Channel.CreateUnbounded<int>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case nameof(ICallGrain.ObserveAsync):
                    return Task.CompletedTask;
                case nameof(ICallGrain.EdgeAliveAsync):
                    var renewal = Interlocked.Increment(ref _renewals);
                    Sent.Writer.TryWrite(renewal);
                    return renewal == 1
                        ? new TaskCompletionSource<CallSnapshot>().Task
                        : Task.FromResult(new CallSnapshot { CallId = "london~lease", Sequence = renewal });
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }
}
