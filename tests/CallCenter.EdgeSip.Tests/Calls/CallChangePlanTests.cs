using CallCenter.EdgeSip.Calls;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class CallChangePlanTests
{
    private static readonly LegState RingingForOffer = new("ann", 3, Answered: false, Ended: false, AcceptOnAnswer: true);
    private static readonly LegState AnsweredAnn = new("ann", 3, Answered: true, Ended: false, AcceptOnAnswer: true);
    private static readonly EdgeLegs NoLegs = new(null, false, null, false);

    [Fact]
    public void Decide_OfferWithoutALeg_RingsTheOfferedAgent() =>
        Assert.Equal(CallChangeStep.RingOfferedAgent, CallChangePlan.Decide(Call(CallState.Offered, offeredAgentId: "ann", epoch: 3), NoLegs));

    [Fact]
    public void Decide_SameOfferAlreadyRinging_DoesNothing() =>
        Assert.Equal(CallChangeStep.None, CallChangePlan.Decide(Call(CallState.Offered, offeredAgentId: "ann", epoch: 3), NoLegs with { Agent = RingingForOffer }));

    [Fact]
    public void Decide_NewOfferWhileTheOldOneRings_RingsAgain() =>
        Assert.Equal(CallChangeStep.RingOfferedAgent, CallChangePlan.Decide(Call(CallState.Offered, offeredAgentId: "ben", epoch: 4), NoLegs with { Agent = RingingForOffer }));

    [Fact]
    public void Decide_OfferAfterTheLastPhoneEnded_RingsAgain() =>
        Assert.Equal(CallChangeStep.RingOfferedAgent, CallChangePlan.Decide(Call(CallState.Offered, offeredAgentId: "ann", epoch: 3), NoLegs with { Agent = RingingForOffer with { Ended = true } }));

    [Fact]
    public void Decide_BackInTheQueueWhileRingingForAnOffer_StopsRinging() =>
        Assert.Equal(CallChangeStep.StopRinging, CallChangePlan.Decide(Call(CallState.Queued), NoLegs with { Agent = RingingForOffer }));

    [Fact]
    public void Decide_BackInTheQueueWhileTalking_ReturnsTheCallerToTheQueue() =>
        Assert.Equal(CallChangeStep.ReturnToQueue, CallChangePlan.Decide(Call(CallState.Queued), NoLegs with { Agent = AnsweredAnn, Bridged = true }));

    [Fact]
    public void Decide_AcceptedOnTheDesktop_RingsTheAcceptingAgent() =>
        Assert.Equal(CallChangeStep.RingAcceptingAgent, CallChangePlan.Decide(Call(CallState.Connecting, agentId: "ann"), NoLegs));

    [Fact]
    public void Decide_ConnectingWithTheAgentsPhoneUp_DoesNothing() =>
        Assert.Equal(CallChangeStep.None, CallChangePlan.Decide(Call(CallState.Connecting, agentId: "ann"), NoLegs with { Agent = AnsweredAnn }));

    [Fact]
    public void Decide_ConsultStarted_RingsTheConsultedParty() =>
        Assert.Equal(
            CallChangeStep.StartConsult,
            CallChangePlan.Decide(Call(CallState.Consulting, agentId: "ann") with { Consult = new Consultation(TransferKind.Agent, "ben", 5) }, NoLegs with { Agent = AnsweredAnn, Bridged = true }));

    [Fact]
    public void Decide_ConnectedToTheConsultedAgent_HandsOver() =>
        Assert.Equal(
            CallChangeStep.HandOverToConsulted,
            CallChangePlan.Decide(Call(CallState.Connected, agentId: "ben"), new EdgeLegs(AnsweredAnn, false, AnsweredAnn with { AgentId = "ben" }, true)));

    [Fact]
    public void Decide_ConnectedToTheSameAgentDuringAConsult_ResumesAfterTheConsult() =>
        Assert.Equal(
            CallChangeStep.ResumeAfterConsult,
            CallChangePlan.Decide(Call(CallState.Connected, agentId: "ann"), new EdgeLegs(AnsweredAnn, false, AnsweredAnn with { AgentId = "ben" }, true)));

    [Theory]
    [InlineData(CallState.Connected)]
    [InlineData(CallState.Held)]
    public void Decide_TalkingAndBridged_FollowsHoldAndRecording(CallState state) =>
        Assert.Equal(CallChangeStep.FollowHoldAndRecording, CallChangePlan.Decide(Call(state, agentId: "ann"), NoLegs with { Agent = AnsweredAnn, Bridged = true }));

    [Fact]
    public void Decide_Ended_EndsTheCall() =>
        Assert.Equal(CallChangeStep.End, CallChangePlan.Decide(Call(CallState.Ended), NoLegs with { Agent = AnsweredAnn, Bridged = true }));

    [Theory]
    [InlineData(CallState.Queued, false)]
    [InlineData(CallState.Offered, false)]
    [InlineData(CallState.Connecting, true)]
    [InlineData(CallState.Consulting, true)]
    [InlineData(CallState.Ended, true)]
    public void LeftQueue_IsTrueOnceTakenOrOver(CallState state, bool expected) => Assert.Equal(expected, CallChangePlan.LeftQueue(state));

    private static CallSnapshot Call(CallState state, string? offeredAgentId = null, long? epoch = null, string? agentId = null) =>
        new() { CallId = "c1", State = state, OfferedAgentId = offeredAgentId, OfferEpoch = epoch, AgentId = agentId };
}
