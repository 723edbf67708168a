using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>The limits on what a desk or an edge may write into a call: attached data, notes, dispositions, survey ratings.</summary>
public static class CallInputRules
{
    public const int MaxAttachedEntries = 64;
    public const int MaxAttachedLength = 512;
    public const int MaxNoteLength = 4000;

    /// <summary>Null when <paramref name="data"/> may be added to a call that already holds <paramref name="existingKeys"/>.</summary>
    public static CommandResult? CheckAttachedData(IEnumerable<string> existingKeys, IReadOnlyDictionary<string, string> data) =>
        data.Any(pair => string.IsNullOrEmpty(pair.Key) || pair.Key.Length > MaxAttachedLength || (pair.Value?.Length ?? 0) > MaxAttachedLength)
            || existingKeys.Union(data.Keys).Count() > MaxAttachedEntries
            ? new CommandResult(CommandStatus.InvalidArgument, $"attached data holds at most {MaxAttachedEntries} entries of non-empty keys and values up to {MaxAttachedLength} characters")
            : null;

    public static CommandResult? CheckNote(string note) =>
        string.IsNullOrWhiteSpace(note) || note.Length > MaxNoteLength
            ? new CommandResult(CommandStatus.InvalidArgument, $"a note has 1 to {MaxNoteLength} characters")
            : null;

    /// <summary>A transfer's note is kept, cut to the longest note allowed.</summary>
    public static string ClipNote(string note) => note.Length > MaxNoteLength ? note[..MaxNoteLength] : note;

    public static CommandResult? CheckDisposition(string dispositionCode, string? notes)
    {
        if (string.IsNullOrWhiteSpace(dispositionCode))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a disposition code is needed");
        }

        return notes is { Length: > MaxNoteLength }
            ? new CommandResult(CommandStatus.InvalidArgument, $"notes are limited to {MaxNoteLength} characters")
            : null;
    }

    public static CommandResult? CheckSurveyRating(int rating) =>
        rating is < 1 or > 5 ? new CommandResult(CommandStatus.InvalidArgument, "a survey rating is 1 to 5") : null;
}
