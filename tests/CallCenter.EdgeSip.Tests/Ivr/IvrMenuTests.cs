using CallCenter.EdgeSip.Ivr;

namespace CallCenter.EdgeSip.Tests.Ivr;

public sealed class IvrMenuTests
{
    private static readonly IvrFlowOptions Flow = new()
    {
        Menu = new Dictionary<string, string> { ["1"] = "sales", ["2"] = "support" },
        DefaultQueue = "support",
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
        var menu = new IvrMenu(new IvrFlowOptions());
        Assert.False(menu.HasChoices);
        Assert.Null(menu.DefaultQueue);
        Assert.Equal(3, menu.Attempts);
    }

    [Fact]
    public void Attempts_AreAtLeastOne() => Assert.Equal(1, new IvrMenu(new IvrFlowOptions { MenuAttempts = 0 }).Attempts);
}
