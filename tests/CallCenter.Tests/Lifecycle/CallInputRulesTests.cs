using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class CallInputRulesTests
{
    [Fact]
    public void AttachedData_IsLimitedInEntriesAndLength_CountingWhatIsAlreadyThere()
    {
        var existing = Enumerable.Range(0, CallInputRules.MaxAttachedEntries - 1).Select(i => $"k{i}").ToList();

        Assert.Null(CallInputRules.CheckAttachedData(existing, new Dictionary<string, string> { ["new"] = "v" }));
        Assert.Null(CallInputRules.CheckAttachedData(existing, new Dictionary<string, string> { ["k0"] = "replaced" }));
        Assert.NotNull(CallInputRules.CheckAttachedData(existing, new Dictionary<string, string> { ["a"] = "v", ["b"] = "v" }));
        Assert.NotNull(CallInputRules.CheckAttachedData([], new Dictionary<string, string> { [""] = "v" }));
        Assert.NotNull(CallInputRules.CheckAttachedData([], new Dictionary<string, string> { ["k"] = new string('x', CallInputRules.MaxAttachedLength + 1) }));
    }

    [Fact]
    public void Notes_DispositionsAndRatings_AreBounded()
    {
        Assert.Null(CallInputRules.CheckNote("called back"));
        Assert.Equal(CommandStatus.InvalidArgument, CallInputRules.CheckNote(" ")?.Status);
        Assert.Equal(CallInputRules.MaxNoteLength, CallInputRules.ClipNote(new string('n', CallInputRules.MaxNoteLength + 9)).Length);
        Assert.Null(CallInputRules.CheckDisposition("sale", null));
        Assert.NotNull(CallInputRules.CheckDisposition("", null));
        Assert.NotNull(CallInputRules.CheckDisposition("sale", new string('n', CallInputRules.MaxNoteLength + 1)));
        Assert.Null(CallInputRules.CheckSurveyRating(5));
        Assert.NotNull(CallInputRules.CheckSurveyRating(0));
    }
}
