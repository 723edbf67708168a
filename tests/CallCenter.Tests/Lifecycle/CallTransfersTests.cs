using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class CallTransfersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(CallState.Queued, "amy", null, CommandStatus.InvalidState)]
    [InlineData(CallState.Connected, "amy", "bob", CommandStatus.Refused)]
    [InlineData(CallState.Consulting, "amy", "amy", CommandStatus.InvalidState)]
    public void CheckTransfer_RefusesWhatTheHolderMayNotDo(CallState state, string holder, string? requester, CommandStatus expected)
    {
        var request = new TransferRequest { Kind = TransferKind.Queue, Target = "q2", RequestedByAgentId = requester };

        Assert.Equal(expected, CallTransfers.CheckTransfer("c1", state, holder, hasTicket: true, request)?.Status);
    }

    [Fact]
    public void CheckTransfer_ByTheHolderOfAConnectedCall_IsAllowed_ButNeedsATarget()
    {
        Assert.Null(CallTransfers.CheckTransfer("c1", CallState.Held, "amy", hasTicket: true, new TransferRequest { Target = "q2", RequestedByAgentId = "amy" }));
        Assert.Equal(CommandStatus.InvalidArgument, CallTransfers.CheckTransfer("c1", CallState.Connected, "amy", hasTicket: true, new TransferRequest { Target = " " })?.Status);
    }

    [Fact]
    public void Requeue_KeepsContextAndPriority_WaitsAfresh_ForTheNamedAgentInTheCallsOwnQueue()
    {
        var ticket = new QueueTicket { CallId = "c1", SiteId = "north", BasePriority = 7, EnqueuedAt = T0, LastAgentId = "amy" };

        var (queue, next) = CallTransfers.Requeue(new TransferRequest { Kind = TransferKind.Agent, Target = "bob" }, ticket, "q1", T0.AddMinutes(3));
        Assert.Equal("q1", queue);
        Assert.Equal(("bob", 7, T0.AddMinutes(3), T0.AddMinutes(3)), (next.TargetAgentId, next.BasePriority, next.EnqueuedAt, next.EnteredThisQueueAt));
        Assert.Null(next.LastAgentId);

        var (other, toQueue) = CallTransfers.Requeue(new TransferRequest { Kind = TransferKind.Queue, Target = "q2" }, ticket, "q1", T0);
        Assert.Equal("q2", other);
        Assert.Null(toQueue.TargetAgentId);
    }

    [Fact]
    public void CheckConsult_SameConsultAgain_IsAlreadyDone_AnotherIsRefused()
    {
        var current = new Consultation(TransferKind.Agent, "bob", 1);

        Assert.Equal(CommandStatus.AlreadyDone, CallTransfers.CheckConsult("c1", CallState.Consulting, "amy", current, new ConsultRequest { AgentId = "amy", Target = "bob" })?.Status);
        Assert.Equal(CommandStatus.InvalidState, CallTransfers.CheckConsult("c1", CallState.Consulting, "amy", current, new ConsultRequest { AgentId = "amy", Target = "cat" })?.Status);
    }

    [Fact]
    public void CheckConsult_NeedsTheHolder_AnAgentOrOutsideTarget_AndNotThemselves()
    {
        Assert.Null(CallTransfers.CheckConsult("c1", CallState.Connected, "amy", null, new ConsultRequest { AgentId = "amy", Target = "bob" }));
        Assert.Equal(CommandStatus.Refused, CallTransfers.CheckConsult("c1", CallState.Connected, "amy", null, new ConsultRequest { AgentId = "bob", Target = "cat" })?.Status);
        Assert.Equal(CommandStatus.InvalidArgument, CallTransfers.CheckConsult("c1", CallState.Connected, "amy", null, new ConsultRequest { AgentId = "amy", Kind = TransferKind.Queue, Target = "q2" })?.Status);
        Assert.Equal(CommandStatus.InvalidArgument, CallTransfers.CheckConsult("c1", CallState.Held, "amy", null, new ConsultRequest { AgentId = "amy", Target = "amy" })?.Status);
        Assert.Equal(CommandStatus.InvalidState, CallTransfers.CheckConsult("c1", CallState.Queued, null, null, new ConsultRequest { AgentId = "amy", Target = "bob" })?.Status);
    }
}
