using CallCenter.Model;

namespace CallCenter.Domain.Lifecycle;

/// <summary>
/// The length and format rules for what people and edges write into a call or an agent's state (ids, targets, reasons,
/// notes, attached data, dispositions, survey ratings), checked once at the grain
/// boundary (the first line of each grain command that takes such input), so the HTTP API, the gRPC gateway and the SIP
/// edge all get the same rule. A broken rule is <see cref="CommandStatus.InvalidArgument"/> naming the field
/// (HTTP 400, gRPC INVALID_ARGUMENT) and nothing is stored.
/// </summary>
public static class InputLimits
{
    /// <summary>Agent, queue, call, site ids; reason and disposition codes.</summary>
    public const int MaxIdLength = 128;

    /// <summary>A transfer or consult target: a queue or agent id, or an external SIP URI or number.</summary>
    public const int MaxTargetLength = 256;

    /// <summary>Why a call or consult ended (free text from a desk or the edge).</summary>
    public const int MaxReasonLength = 256;

    /// <summary>An agent's note or wrap-up notes.</summary>
    public const int MaxNoteLength = 4000;

    public static CommandResult? Id(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxIdLength || value.Any(char.IsControl)
            ? Invalid($"{field} must be 1 to {MaxIdLength} printable characters")
            : null;

    /// <summary>An id that may be left out (null), but not empty or malformed when given.</summary>
    public static CommandResult? OptionalId(string? value, string field) => value is null ? null : Id(value, field);

    public static CommandResult? Target(string? value, string field = "target") =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxTargetLength || value.Any(char.IsControl)
            ? Invalid($"{field} must be 1 to {MaxTargetLength} printable characters")
            : null;

    public static CommandResult? Reason(string? value, string field = "reason") =>
        value is not null && (value.Length > MaxReasonLength || value.Any(char.IsControl))
            ? Invalid($"{field} must be at most {MaxReasonLength} printable characters")
            : null;

    /// <summary>Free text: line breaks and tabs allowed, other control characters not.</summary>
    public static CommandResult? Note(string? value, string field = "note") =>
        value is not null && (value.Length > MaxNoteLength || value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            ? Invalid($"{field} must be at most {MaxNoteLength} characters, without control characters but line breaks and tabs")
            : null;

    public static CommandResult? Transfer(TransferRequest request) =>
        Target(request.Target) ?? Note(request.Note) ?? OptionalId(request.RequestedByAgentId, "requestedByAgentId");

    public static CommandResult? Consult(ConsultRequest request) =>
        Id(request.AgentId, "agentId") ?? Target(request.Target);

    public const int MaxAttachedEntries = 64;
    public const int MaxAttachedLength = 512;

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

    private static CommandResult Invalid(string message) => new(CommandStatus.InvalidArgument, message);
}
