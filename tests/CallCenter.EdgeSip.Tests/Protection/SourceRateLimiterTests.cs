using System.Net;
using System.Threading.RateLimiting;
using CallCenter.EdgeSip.Protection;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Protection;

public sealed class SourceRateLimiterTests
{
    private static readonly IPAddress SourceA = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress SourceB = IPAddress.Parse("198.51.100.2");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryAcquire_Burst_IsAllowedThenRejected()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);

        int allowed = Enumerable.Range(0, 100).Count(_ => limiter.TryAcquire(SourceA, "INVITE"));

        Assert.Equal(40, allowed);
        Assert.Equal(60, limiter.Rejected);
    }

    [Fact]
    public void TryAcquire_OverFakeTime_RefillsAtTheRate()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { RegistersPerSecond = 5, RegisterBurst = 2 }, _time);
        Assert.True(limiter.TryAcquire(SourceA, "REGISTER"));
        Assert.True(limiter.TryAcquire(SourceA, "REGISTER"));

        Assert.False(limiter.TryAcquire(SourceA, "REGISTER", out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(200), retryAfter);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(limiter.TryAcquire(SourceA, "REGISTER", out retryAfter));
        Assert.Equal(100, retryAfter.TotalMilliseconds, precision: 6);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.TryAcquire(SourceA, "REGISTER", out retryAfter));
        Assert.Equal(TimeSpan.Zero, retryAfter);
        Assert.False(limiter.TryAcquire(SourceA, "REGISTER"));
        Assert.Equal(3, limiter.Rejected);
    }

    [Fact]
    public void TryAcquire_LongIdle_RefillsOnlyUpToTheBurst()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { InvitesPerSecond = 10, InviteBurst = 3 }, _time);
        Exhaust(limiter, SourceA, "INVITE");

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(SourceA, "INVITE")));
    }

    [Fact]
    public void TryAcquire_InviteAndRegister_HaveSeparateBudgets()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);
        Exhaust(limiter, SourceA, "INVITE");

        Assert.Equal(20, Enumerable.Range(0, 30).Count(_ => limiter.TryAcquire(SourceA, "REGISTER")));
        Assert.False(limiter.TryAcquire(SourceA, "INVITE"));
    }

    [Fact]
    public void TryAcquire_Sources_HaveSeparateBudgets()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);
        Exhaust(limiter, SourceA, "INVITE");

        Assert.True(limiter.TryAcquire(SourceB, "INVITE"));
        Assert.False(limiter.TryAcquire(SourceA, "INVITE"));
    }

    [Theory]
    [InlineData("ACK")]
    [InlineData("BYE")]
    [InlineData("CANCEL")]
    [InlineData("OPTIONS")]
    [InlineData("invite")]
    public void TryAcquire_OtherMethods_AreNeverLimitedNorTracked(string method)
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { InviteBurst = 1, RegisterBurst = 1 }, _time);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(limiter.TryAcquire(SourceA, method)));
        Assert.Equal(0, limiter.TrackedSources);
        Assert.Equal(0, limiter.Rejected);
    }

    [Fact]
    public void TryAcquire_FloodOfSources_KeepsTheTableBounded()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { MaxTrackedSources = 100 }, _time);

        for (int i = 0; i < 100_000; i++)
        {
            var spoofed = new IPAddress((uint)i);
            Assert.True(limiter.TryAcquire(spoofed, i % 2 == 0 ? "INVITE" : "REGISTER"));
        }

        Assert.Equal(100, limiter.TrackedSources);
    }

    [Fact]
    public void TryAcquire_TableFull_EvictsTheLeastRecentlySeenSource()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { MaxTrackedSources = 2, InviteBurst = 1 }, _time);
        Assert.True(limiter.TryAcquire(SourceA, "INVITE"));
        Assert.True(limiter.TryAcquire(SourceB, "INVITE"));
        Assert.False(limiter.TryAcquire(SourceA, "INVITE")); // A is now the most recently seen.

        Assert.True(limiter.TryAcquire(IPAddress.Parse("198.51.100.3"), "INVITE")); // evicts B

        Assert.False(limiter.TryAcquire(SourceA, "INVITE"));
        Assert.True(limiter.TryAcquire(SourceB, "INVITE")); // B was forgotten: a full bucket again.
        Assert.Equal(2, limiter.TrackedSources);
    }

    [Fact]
    public void TryAcquire_IPv4MappedIPv6_SharesTheIPv4Budget()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);
        Exhaust(limiter, SourceA, "INVITE");

        Assert.False(limiter.TryAcquire(SourceA.MapToIPv6(), "INVITE"));
    }

    [Fact]
    public void TryAcquire_IPv6_CountsPerSlash64ByDefault()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);
        Exhaust(limiter, IPAddress.Parse("2001:db8:1:2::1"), "INVITE");

        Assert.False(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:ffff::9"), "INVITE"));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1"), "INVITE"));
    }

    [Fact]
    public void TryAcquire_IPv6PrefixLength128_CountsEachAddress()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { IPv6PrefixLength = 128 }, _time);
        Exhaust(limiter, IPAddress.Parse("2001:db8::1"), "INVITE");

        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8::2"), "INVITE"));
    }

    [Fact]
    public void TryAcquire_ConcurrentCallers_GrantExactlyTheBurst()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { InviteBurst = 1000 }, _time);
        int granted = 0;

        Parallel.For(0, 4000, _ =>
        {
            if (limiter.TryAcquire(SourceA, "INVITE"))
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(1000, granted);
        Assert.Equal(3000, limiter.Rejected);
    }

    [Fact]
    public void AttemptAcquire_OverTheBudget_TheRefusedLeaseCarriesRetryAfter()
    {
        using var limiter = new SourceRateLimiter(new RateLimitOptions { RegistersPerSecond = 4, RegisterBurst = 1 }, _time);
        var register = new SipRequestSource(SourceA, "REGISTER");
        using (var granted = limiter.AttemptAcquire(register))
        {
            Assert.True(granted.IsAcquired);
        }

        using var refused = limiter.AttemptAcquire(register);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        Assert.Equal(0, limiter.GetStatistics(register)!.CurrentAvailablePermits);
    }

    [Fact]
    public void AttemptAcquire_OtherMethods_AreGrantedWithoutAPartition()
    {
        using var limiter = new SourceRateLimiter(new RateLimitOptions(), _time);

        using var lease = limiter.AttemptAcquire(new SipRequestSource(SourceA, "BYE"));

        Assert.True(lease.IsAcquired);
        Assert.Null(limiter.GetStatistics(new SipRequestSource(SourceA, "BYE")));
        Assert.Equal(0, limiter.TrackedSources);
    }

    [Fact]
    public void TryAcquire_SourceIdleUntilItsBucketsAreFull_IsDroppedAsOtherTrafficPasses()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { InvitesPerSecond = 10, InviteBurst = 2 }, _time);
        Assert.True(limiter.TryAcquire(SourceA, "INVITE"));
        Assert.True(limiter.TryAcquire(SourceB, "INVITE"));
        Assert.Equal(2, limiter.TrackedSources);

        _time.Advance(TimeSpan.FromMilliseconds(100)); // one token back: both buckets full again
        Assert.True(limiter.TryAcquire(IPAddress.Parse("198.51.100.3"), "INVITE"));

        Assert.Equal(1, limiter.TrackedSources);
    }

    [Fact]
    public void TryAcquire_SourceNotYetRefilled_IsKept()
    {
        var limiter = new SourceRateLimiter(new RateLimitOptions { InvitesPerSecond = 10, InviteBurst = 2 }, _time);
        Exhaust(limiter, SourceA, "INVITE");

        _time.Advance(TimeSpan.FromMilliseconds(150)); // one and a half tokens of two
        Assert.True(limiter.TryAcquire(SourceB, "INVITE"));

        Assert.Equal(2, limiter.TrackedSources);
        Assert.True(limiter.TryAcquire(SourceA, "INVITE"));
        Assert.False(limiter.TryAcquire(SourceA, "INVITE")); // A kept its state: half a token left, not a new bucket
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentException>(() => new SourceRateLimiter(new RateLimitOptions { InvitesPerSecond = 0 }, _time));
        Assert.Throws<ArgumentException>(() => new SourceRateLimiter(new RateLimitOptions { RegistersPerSecond = double.NaN }, _time));
        Assert.Throws<ArgumentException>(() => new SourceRateLimiter(new RateLimitOptions { InviteBurst = 0.5 }, _time));
        Assert.Throws<ArgumentException>(() => new SourceRateLimiter(new RateLimitOptions { MaxTrackedSources = 0 }, _time));
        Assert.Throws<ArgumentException>(() => new SourceRateLimiter(new RateLimitOptions { IPv6PrefixLength = 129 }, _time));
    }

    private static void Exhaust(SourceRateLimiter limiter, IPAddress source, string method)
    {
        while (limiter.TryAcquire(source, method))
        {
        }
    }
}
