using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class LifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(CallState.Arrived, CallState.InIvr, true)]
    [InlineData(CallState.InIvr, CallState.Queued, true)]
    [InlineData(CallState.Queued, CallState.Offered, true)]
    [InlineData(CallState.Offered, CallState.Queued, true)]
    [InlineData(CallState.Offered, CallState.Connecting, true)]
    [InlineData(CallState.Connected, CallState.Held, true)]
    [InlineData(CallState.Held, CallState.Connected, true)]
    [InlineData(CallState.Ended, CallState.Queued, false)]
    [InlineData(CallState.Ended, CallState.Connected, false)]
    [InlineData(CallState.InIvr, CallState.Connected, false)]
    [InlineData(CallState.Arrived, CallState.Offered, false)]
    public void CanMove_FollowsTheLifecycle(CallState from, CallState to, bool allowed) => Assert.Equal(allowed, CallLifecycle.CanMove(from, to));

    [Theory]
    [InlineData(CallState.InIvr, CallParty.Caller, CallOutcome.Abandoned)]
    [InlineData(CallState.Queued, CallParty.Caller, CallOutcome.Abandoned)]
    [InlineData(CallState.Offered, CallParty.Caller, CallOutcome.Abandoned)]
    [InlineData(CallState.Connected, CallParty.Caller, CallOutcome.Answered)]
    [InlineData(CallState.Held, CallParty.Agent, CallOutcome.Answered)]
    [InlineData(CallState.Queued, CallParty.System, CallOutcome.Failed)]
    public void OutcomeOfHangUp_DependsOnWhetherAnAgentTookTheCall(CallState state, CallParty party, CallOutcome outcome) =>
        Assert.Equal(outcome, CallLifecycle.OutcomeOfHangUp(state, party));

    [Theory]
    [InlineData(PresenceState.LoggedOut, PresenceState.Available, true)]
    [InlineData(PresenceState.LoggedOut, PresenceState.Reserved, false)]
    [InlineData(PresenceState.Available, PresenceState.Reserved, true)]
    [InlineData(PresenceState.Reserved, PresenceState.Busy, true)]
    [InlineData(PresenceState.Reserved, PresenceState.NotReady, true)]
    [InlineData(PresenceState.Busy, PresenceState.WrapUp, true)]
    [InlineData(PresenceState.Busy, PresenceState.LoggedOut, false)]
    [InlineData(PresenceState.WrapUp, PresenceState.Available, true)]
    public void Presence_CanMove(PresenceState from, PresenceState to, bool allowed) => Assert.Equal(allowed, AgentPresenceMachine.CanMove(from, to));

    [Fact]
    public void Move_NotAllowedByTheTable_Throws() =>
        Assert.Throws<InvalidOperationException>(() => AgentPresenceMachine.Move(
            new AgentPresence { State = PresenceState.LoggedOut, Since = T0 }, new AgentCounters(), new AgentPresence { State = PresenceState.Busy }, T0));

    [Fact]
    public void Move_ChargesTimeToHandlingOrAvailable_AndTracksIdleSince()
    {
        var presence = new AgentPresence { State = PresenceState.LoggedOut, Since = T0 };
        var counters = new AgentCounters();
        (presence, counters) = AgentPresenceMachine.Move(presence, counters, new AgentPresence { State = PresenceState.Available }, T0);
        Assert.Equal(T0, counters.IdleSince);
        (presence, counters) = AgentPresenceMachine.Move(presence, counters, new AgentPresence { State = PresenceState.Busy }, T0.AddSeconds(30));
        Assert.Null(counters.IdleSince);
        (presence, counters) = AgentPresenceMachine.Move(presence, counters, new AgentPresence { State = PresenceState.WrapUp }, T0.AddSeconds(120));
        (_, counters) = AgentPresenceMachine.Move(presence, counters, new AgentPresence { State = PresenceState.Available }, T0.AddSeconds(130));

        Assert.Equal(30, counters.AvailableSeconds);
        Assert.Equal(100, counters.HandlingSeconds);
        Assert.Equal(100.0 / 130, counters.Occupancy, 6);
        Assert.Equal(T0.AddSeconds(130), counters.IdleSince);
    }
}
