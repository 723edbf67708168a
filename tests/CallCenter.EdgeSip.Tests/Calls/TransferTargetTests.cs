using CallCenter.EdgeSip.Calls;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class TransferTargetTests
{
    private static readonly HashSet<string> Queues = ["sales", "support"];
    private static readonly HashSet<string> Agents = ["alice", "oscar"];

    [Theory]
    [InlineData("<sip:queue-sales@127.0.0.1>", TransferKind.Queue, "sales")]
    [InlineData("sip:support@127.0.0.1:5060", TransferKind.Queue, "support")]
    [InlineData("<sip:agent-oscar@127.0.0.1>", TransferKind.Agent, "oscar")]
    [InlineData("<sip:alice@127.0.0.1;transport=tcp>", TransferKind.Agent, "alice")]
    [InlineData("\"Expert\" <sip:expert@partner.example>", TransferKind.External, "sip:expert@partner.example")]
    [InlineData("<sip:queue-unknown@127.0.0.1>", TransferKind.External, "sip:queue-unknown@127.0.0.1")]
    [InlineData("<tel:+441234567890>", TransferKind.External, "tel:+441234567890")]
    public void FromReferTo_ReadsQueuesAgentsAndOutsideTargets(string referTo, TransferKind kind, string target)
    {
        var transfer = TransferTarget.FromReferTo(referTo, Queues.Contains, Agents.Contains, "bob");
        Assert.NotNull(transfer);
        Assert.Equal(kind, transfer.Kind);
        Assert.Equal(target, transfer.Target);
        Assert.Equal("bob", transfer.RequestedByAgentId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<sip:")]
    [InlineData("not a uri at all <<")]
    public void FromReferTo_UnreadableTarget_IsNull(string referTo) =>
        Assert.Null(TransferTarget.FromReferTo(referTo, Queues.Contains, Agents.Contains, "bob"));

    [Theory]
    [InlineData("<sip:3000@edge.example:5060>", TransferKind.Queue, "support")]
    [InlineData("<sip:3000@partner.example>", TransferKind.Queue, "support")]
    [InlineData("<sip:sales@edge.example:5060>", TransferKind.Queue, "sales")]
    [InlineData("<sip:alice@edge.example:5060>", TransferKind.Agent, "alice")]
    [InlineData("<sip:4000@partner.example>", TransferKind.External, "sip:4000@partner.example")]
    [InlineData("<sip:4000@edge.example:5070>", TransferKind.External, "sip:4000@edge.example:5070")]
    public void FromReferTo_OurEntryPointsResolveInside_OtherAddressesLeave(string referTo, TransferKind kind, string target)
    {
        var transfer = TransferTarget.FromReferTo(referTo, Directory, "bob", out var refusal);

        Assert.Null(refusal);
        Assert.NotNull(transfer);
        Assert.Equal(kind, transfer.Kind);
        Assert.Equal(target, transfer.Target);
    }

    [Theory]
    [InlineData("<sip:4000@edge.example:5060>")]
    [InlineData("<sip:edge.example>")]
    [InlineData("<sip:queue-unknown@edge.example>")]
    public void FromReferTo_ThisEdgeWithNothingOfOurs_IsRefused_NeverDialled(string referTo)
    {
        Assert.Null(TransferTarget.FromReferTo(referTo, Directory, "bob", out var refusal));
        Assert.Contains("this edge", refusal, StringComparison.Ordinal);
    }

    private static ReferDirectory Directory => new(
        Queues.Contains,
        Agents.Contains,
        number => number == "3000" ? "support" : null,
        uri => uri is CallCenter.Sip.Uris.SipUri { Host: "edge.example" } sip && (sip.Port ?? 5060) == 5060);
}
