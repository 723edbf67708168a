using CallCenter.EdgeSip.Ivr;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Ivr;

public sealed class IvrMenuTests
{
    private static readonly IvrFlow Flow = new()
    {
        Id = "menu",
        Menu = new Dictionary<string, string> { ["1"] = "sales", ["2"] = "support" },
        DefaultQueueId = "support",
        MenuAttempts = 2,
    };

    [Theory]
    [InlineData("1", "sales")]
    [InlineData("2", "support")]
    [InlineData("3", null)]
    [InlineData("", null)]
    public void QueueFor_MapsOnlyTheMenuKeys(string key, string? queue) => Assert.Equal(queue, new IvrMenu(Flow).QueueFor(key));

    [Fact]
    public void NoMenu_HasNoChoices_AndFallsBackToTheEntryPoint()
    {
        var menu = new IvrMenu(new IvrFlow { Id = "plain" });
        Assert.False(menu.HasChoices);
        Assert.Null(menu.DefaultQueue);
        Assert.Equal(3, menu.Attempts);
    }

    [Fact]
    public void Attempts_AreAtLeastOne() => Assert.Equal(1, new IvrMenu(new IvrFlow { Id = "zero", MenuAttempts = 0 }).Attempts);

    [Fact]
    public void DefaultQueue_IsTheFlowsDefault_WhenSet() => Assert.Equal("support", new IvrMenu(Flow).DefaultQueue);

    [Fact]
    public void StarAndHash_AreKeysLikeDigits()
    {
        var menu = new IvrMenu(Flow with { Menu = new Dictionary<string, string> { ["*"] = "operator", ["#"] = "repeat" } });
        Assert.Equal("operator", menu.QueueFor("*"));
        Assert.Equal("repeat", menu.QueueFor("#"));
    }
}
