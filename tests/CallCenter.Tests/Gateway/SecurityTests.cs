using CallCenter.Model;
using CallCenter.Web.Security;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Tests.Gateway;

/// <summary>The gateway's security parts alone: secret hashes, tokens, the login throttle and the access policy.</summary>
public sealed class SecurityTests
{
    private static readonly Principal Agent = new("amy", UserRole.Agent, "default", "amy", null, "s1");

    [Fact]
    public void SecretHash_IsSaltedAndVerifies_OnlyTheSameSecret()
    {
        var first = SecretHasher.Hash("correct horse", SecretHasher.MinimumIterations);
        var second = SecretHasher.Hash("correct horse", SecretHasher.MinimumIterations);

        Assert.NotEqual(first, second);
        Assert.StartsWith("pbkdf2-sha256$10000$", first);
        Assert.DoesNotContain("correct horse", first);
        Assert.True(SecretHasher.Verify("correct horse", first));
        Assert.False(SecretHasher.Verify("correct hors", first));
        Assert.False(SecretHasher.VerifyOrDummy("anything", null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("pbkdf2-sha256$10$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$100000$not base64!$aGFzaA==")]
    [InlineData("md5$100000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")]
    public void MalformedOrWeakHashes_AreNotAccepted(string stored)
    {
        Assert.False(SecretHasher.IsWellFormed(stored));
        Assert.False(SecretHasher.Verify("secret", stored));
    }

    [Fact]
    public void Token_CarriesThePrincipal_UntilItExpires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var tokens = new SessionTokens(new byte[32], clock);
        var token = tokens.Issue(Agent, TimeSpan.FromMinutes(10), out var expires);

        Assert.Equal(Agent, tokens.Validate(token).Principal);
        Assert.Equal(clock.GetUtcNow().AddMinutes(10), expires);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("token expired", tokens.Validate(token).Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1.e30")]
    [InlineData("v2.e30.AAAA")]
    [InlineData("v1.!!!.AAAA")]
    public void MalformedTokens_AreRefused(string? token)
    {
        var tokens = new SessionTokens(new byte[32], TimeProvider.System);

        Assert.Null(tokens.Validate(token).Principal);
    }

    [Fact]
    public void TokenOfAnotherKey_IsRefused()
    {
        var mine = new SessionTokens(new byte[32], TimeProvider.System);
        var theirs = new SessionTokens(Enumerable.Repeat((byte)7, 32).ToArray(), TimeProvider.System);

        Assert.Equal("token signature does not match", mine.Validate(theirs.Issue(Agent, TimeSpan.FromHours(1), out _)).Error);
    }

    [Fact]
    public void Throttle_LocksOutByUserAndBySource_ForTheWindow()
    {
        var clock = new FakeTimeProvider();
        using var throttle = new LoginThrottle(3, TimeSpan.FromMinutes(5), clock);
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure("amy", $"10.0.0.{i}");
        }

        Assert.True(throttle.IsLockedOut("amy", "10.0.0.9"));
        Assert.False(throttle.IsLockedOut("bob", "10.0.0.9"));
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure($"user{i}", "10.0.0.50");
        }

        Assert.True(throttle.IsLockedOut("bob", "10.0.0.50"));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(throttle.IsLockedOut("amy", "10.0.0.9"));
    }

    [Fact]
    public void Throttle_ASuccessClearsTheUsersCount_NotTheSources()
    {
        var clock = new FakeTimeProvider();
        using var throttle = new LoginThrottle(2, TimeSpan.FromMinutes(5), clock);
        throttle.RecordFailure("amy", "10.0.0.1");
        throttle.RecordFailure("amy", "10.0.0.1");
        Assert.True(throttle.IsLockedOut("amy", "10.0.0.2"));

        throttle.RecordSuccess("amy");

        Assert.False(throttle.IsLockedOut("amy", "10.0.0.2"));
        Assert.True(throttle.IsLockedOut("bob", "10.0.0.1"));
        throttle.RecordFailure("amy", "10.0.0.2");
        Assert.False(throttle.IsLockedOut("amy", "10.0.0.3"));
    }

    [Fact]
    public void Policy_AgentsReachOnlyTheirCalls_SupervisorsOnlyWatch_TenantsNeverMix()
    {
        var offered = new CallSnapshot
        {
            CallId = "c1",
            State = CallState.Offered,
            Arrival = new CallArrival { SiteId = "north" },
            Timeline = [new CallEvent(DateTimeOffset.UnixEpoch, CallEventKind.Offered, AgentId: "amy")],
        };
        var held = offered with { State = CallState.Connected, AgentId = "amy" };
        var otherTenant = held with { Arrival = new CallArrival { SiteId = "north", TenantId = "other" } };
        var supervisor = new Principal("sup", UserRole.Supervisor, "default", null, null, "s2");
        var colleague = Agent with { UserId = "bob", AgentId = "bob" };

        Assert.True(AccessPolicy.ForCall(Agent, offered, CallAccess.Answer).Allowed);
        Assert.False(AccessPolicy.ForCall(Agent, offered, CallAccess.Control).Allowed);
        Assert.True(AccessPolicy.ForCall(Agent, held, CallAccess.Control).Allowed);
        Assert.False(AccessPolicy.ForCall(colleague, held, CallAccess.Read).Allowed);
        Assert.False(AccessPolicy.ForCall(colleague, offered with { State = CallState.Queued }, CallAccess.Answer).Allowed);
        Assert.True(AccessPolicy.ForCall(colleague, offered with { State = CallState.Queued }, CallAccess.Answer, reservedForMe: true).Allowed);
        Assert.True(AccessPolicy.ForCall(supervisor, held, CallAccess.Read).Allowed);
        Assert.False(AccessPolicy.ForCall(supervisor, held, CallAccess.Control).Allowed);
        Assert.False(AccessPolicy.ForCall(Agent, otherTenant, CallAccess.Control).Allowed);
        Assert.False(AccessPolicy.ForCall(supervisor, otherTenant, CallAccess.Read).Allowed);
        Assert.True(AccessPolicy.ForCall(Principal.LocalOperator, otherTenant, CallAccess.Control).Allowed);
        Assert.False(AccessPolicy.ForSupervision(supervisor, "other").Allowed);
        Assert.False(AccessPolicy.ForSupervision(Agent, "default").Allowed);
        Assert.False(AccessPolicy.ForAgentDesk(supervisor).Allowed);
    }
}
