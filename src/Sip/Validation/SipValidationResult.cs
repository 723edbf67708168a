namespace CallCenter.Sip.Validation;

public enum SipValidationAction
{
    /// <summary>Hand the message to the transaction / application layer.</summary>
    Accept,

    /// <summary>Answer the request with <see cref="SipValidationResult.StatusCode"/>.</summary>
    Reject,

    /// <summary>Discard silently (a response cannot be answered).</summary>
    Drop,
}

/// <summary>What a receiving endpoint should do with a message, and why.</summary>
public sealed record SipValidationResult(SipValidationAction Action, int StatusCode, string Reason)
{
    public static SipValidationResult Accepted { get; } = new(SipValidationAction.Accept, 0, string.Empty);

    /// <summary>For 420 Bad Extension: the option tags to list in the Unsupported header.</summary>
    public IReadOnlyList<string> UnsupportedOptionTags { get; init; } = [];

    public bool IsAccepted => Action == SipValidationAction.Accept;

    public static SipValidationResult Reject(int statusCode, string reason) =>
        new(SipValidationAction.Reject, statusCode, reason);

    public static SipValidationResult Drop(string reason) => new(SipValidationAction.Drop, 0, reason);

    /// <summary>What to do with a datagram the parser refused: answer requests, drop responses.</summary>
    public static SipValidationResult FromParseFailure(SipParseException exception) =>
        exception.IsResponse
            ? Drop(exception.Message)
            : Reject(exception.SuggestedStatusCode, exception.Message);
}
