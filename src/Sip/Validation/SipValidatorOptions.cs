namespace CallCenter.Sip.Validation;

/// <summary>What the receiving endpoint supports; the validator rejects anything else.</summary>
public sealed class SipValidatorOptions
{
    public IReadOnlySet<string> SupportedMethods { get; init; } = SipMethods.Known;

    /// <summary>Option tags this endpoint implements (Require values outside it get 420).</summary>
    public IReadOnlySet<string> SupportedExtensions { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public IReadOnlySet<string> SupportedUriSchemes { get; init; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "sip", "sips", "tel" };

    /// <summary>Body types this endpoint can process (others get 415).</summary>
    public IReadOnlySet<string> SupportedContentTypes { get; init; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "application/sdp", "multipart/mixed", "text/plain", "message/sipfrag", "application/dtmf-relay",
        };

    /// <summary>Body types an INVITE answer from this endpoint may carry (Accept must allow one, or 406).</summary>
    public IReadOnlySet<string> AnswerContentTypes { get; init; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "application/sdp" };
}
