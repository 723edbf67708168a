using CallCenter.EdgeSip.Ivr;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Ivr;

public sealed class IvrMenuWalkTests
{
    private static readonly IvrFlow Flow = new()
    {
        Id = "menu",
        Greeting = "hello",
        MenuPrompt = "choices",
        Menu = new Dictionary<string, string> { ["1"] = "sales", ["2"] = "support" },
        DefaultQueueId = "support",
        MenuAttempts = 3,
    };

    [Fact]
    public void FirstAttempt_PlaysTheGreetingThenTheMenu_UnlessAlreadyGreeted()
    {
        Assert.Equal(["hello", "choices"], new IvrMenuWalk(Flow, greeted: false).Prompts);
        Assert.Equal(["choices"], new IvrMenuWalk(Flow, greeted: true).Prompts);
    }

    [Fact]
    public void MenuKey_ChoosesItsQueue_AtOnce()
    {
        var walk = new IvrMenuWalk(Flow, greeted: false);

        walk.Press("1");

        Assert.True(walk.Done);
        Assert.Equal(("1", "sales"), (walk.ChosenKey, walk.QueueId));
    }

    [Fact]
    public void WrongKey_SaysInvalidAndRepeatsTheMenu_SilenceRepeatsTheMenuAlone()
    {
        var walk = new IvrMenuWalk(Flow, greeted: false);

        walk.Press("7");
        Assert.False(walk.Done);
        Assert.Equal(["invalid", "choices"], walk.Prompts);

        walk.Press("");
        Assert.False(walk.Done);
        Assert.Equal(["choices"], walk.Prompts);

        walk.Press("2");
        Assert.Equal(("2", "support"), (walk.ChosenKey, walk.QueueId));
    }

    [Theory]
    [InlineData("support")]
    [InlineData(null)]
    public void AttemptsUsedUp_TakeTheDefault_OrTheEntryPointsQueue(string? defaultQueue)
    {
        var walk = new IvrMenuWalk(Flow with { DefaultQueueId = defaultQueue }, greeted: false);

        walk.Press("9");
        walk.Press("");
        walk.Press("#");

        Assert.True(walk.Done);
        Assert.Null(walk.ChosenKey);
        Assert.Equal(defaultQueue, walk.QueueId);
    }
}
