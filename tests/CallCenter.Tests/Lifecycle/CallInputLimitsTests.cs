using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class CallInputLimitsTests
{
    [Fact]
    public void AttachedData_IsLimitedInEntriesAndLength_CountingWhatIsAlreadyThere()
    {
        var existing = Enumerable.Range(0, InputLimits.MaxAttachedEntries - 1).Select(i => $"k{i}").ToList();

        Assert.Null(InputLimits.CheckAttachedData(existing, new Dictionary<string, string> { ["new"] = "v" }));
        Assert.Null(InputLimits.CheckAttachedData(existing, new Dictionary<string, string> { ["k0"] = "replaced" }));
        Assert.NotNull(InputLimits.CheckAttachedData(existing, new Dictionary<string, string> { ["a"] = "v", ["b"] = "v" }));
        Assert.NotNull(InputLimits.CheckAttachedData([], new Dictionary<string, string> { [""] = "v" }));
        Assert.NotNull(InputLimits.CheckAttachedData([], new Dictionary<string, string> { ["k"] = new string('x', InputLimits.MaxAttachedLength + 1) }));
    }

    [Fact]
    public void Notes_DispositionsAndRatings_AreBounded()
    {
        Assert.Null(InputLimits.CheckNote("called back"));
        Assert.Equal(CommandStatus.InvalidArgument, InputLimits.CheckNote(" ")?.Status);
        Assert.Equal(InputLimits.MaxNoteLength, InputLimits.ClipNote(new string('n', InputLimits.MaxNoteLength + 9)).Length);
        Assert.Null(InputLimits.CheckDisposition("sale", null));
        Assert.NotNull(InputLimits.CheckDisposition("", null));
        Assert.NotNull(InputLimits.CheckDisposition("sale", new string('n', InputLimits.MaxNoteLength + 1)));
        Assert.Null(InputLimits.CheckSurveyRating(5));
        Assert.NotNull(InputLimits.CheckSurveyRating(0));
    }
}
