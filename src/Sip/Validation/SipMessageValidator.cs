using System.Globalization;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Validation;

/// <summary>
/// The checks a receiving endpoint (UAS / UAC core) applies to a message the parser accepted,
/// in the order of RFC 3261 section 8.2 (requests) and 8.1.3.3 (responses). It never throws.
/// </summary>
public sealed class SipMessageValidator
{
    private static readonly string[] SingleValuedHeaders =
    [
        SipHeaderNames.To, SipHeaderNames.From, SipHeaderNames.CallId, SipHeaderNames.CSeq,
        SipHeaderNames.MaxForwards, SipHeaderNames.ContentType,
    ];

    private readonly SipValidatorOptions _options;

    public SipMessageValidator(SipValidatorOptions? options = null)
    {
        _options = options ?? new SipValidatorOptions();
    }

    public SipValidationResult Validate(SipMessage message)
    {
        try
        {
            return message switch
            {
                SipRequest request => ValidateRequest(request),
                SipResponse response => ValidateResponse(response),
                _ => SipValidationResult.Drop("unknown message type"),
            };
        }
        catch (SipParseException exception)
        {
            // Only reachable for messages built in code with malformed header values.
            return message is SipResponse
                ? SipValidationResult.Drop(exception.Message)
                : SipValidationResult.Reject(exception.SuggestedStatusCode, exception.Message);
        }
    }

    private static SipValidationResult ValidateResponse(SipResponse response)
    {
        // RFC 3261 section 8.1.3.3: a response with more than one Via is misrouted; discard it.
        int viaCount = response.Headers.CountOf(SipHeaderNames.Via);
        if (viaCount != 1)
        {
            return SipValidationResult.Drop($"response has {viaCount} Via values instead of 1");
        }

        string? missing = FindMissingOrDuplicated(response);
        return missing is null ? SipValidationResult.Accepted : SipValidationResult.Drop(missing);
    }

    private SipValidationResult ValidateRequest(SipRequest request)
    {
        if (FindMissingOrDuplicated(request) is string problem)
        {
            return SipValidationResult.Reject(400, problem);
        }

        if (request.RequestUri is SipUri { Headers.Count: > 0 })
        {
            // RFC 3261 section 19.1.1: headers are not allowed in a Request-URI (RFC 4475 escruri).
            return SipValidationResult.Reject(400, "Request-URI must not contain headers");
        }

        if (request.Headers.GetFirst(SipHeaderNames.Date) is string date && !IsRfc1123GmtDate(date))
        {
            return SipValidationResult.Reject(400, "Date is not an RFC 1123 date in GMT");
        }

        if (request.TopVia?.Branch == ViaHeader.MagicCookie)
        {
            // The cookie alone carries no transaction identifier (RFC 4475 badbranch).
            return SipValidationResult.Reject(400, "Via branch is only the magic cookie");
        }

        if (!_options.SupportedMethods.Contains(request.Method))
        {
            return SipMethods.IsKnown(request.Method)
                ? SipValidationResult.Reject(405, $"method {request.Method} is not allowed")
                : SipValidationResult.Reject(501, $"method {request.Method} is not implemented");
        }

        if (!_options.SupportedUriSchemes.Contains(request.RequestUri.Scheme))
        {
            return SipValidationResult.Reject(416, $"URI scheme '{request.RequestUri.Scheme}' is not supported");
        }

        if (request.Method == SipMethods.Register && request.To?.Uri is not SipUri)
        {
            // A registrar can only bind SIP addresses-of-record (RFC 4475 unksm2).
            return SipValidationResult.Reject(400, "REGISTER To header must hold a sip: or sips: address-of-record");
        }

        if (request.Method is not SipMethods.Ack and not SipMethods.Cancel)
        {
            List<string> unsupported = request.GetOptionTags(SipHeaderNames.Require)
                .Where(tag => !_options.SupportedExtensions.Contains(tag))
                .ToList();
            if (unsupported.Count > 0)
            {
                return SipValidationResult.Reject(420, "unsupported extensions required: " + string.Join(", ", unsupported))
                    with { UnsupportedOptionTags = unsupported };
            }
        }

        if (ValidateBody(request) is SipValidationResult bodyProblem)
        {
            return bodyProblem;
        }

        return SipValidationResult.Accepted;
    }

    private SipValidationResult? ValidateBody(SipRequest request)
    {
        if (request.Body.Length > 0)
        {
            if (request.ContentType is not MediaType contentType)
            {
                return SipValidationResult.Reject(400, "request has a body but no Content-Type");
            }

            if (!_options.SupportedContentTypes.Contains(contentType.MimeType))
            {
                return SipValidationResult.Reject(415, $"Content-Type {contentType.MimeType} is not supported");
            }

            foreach (string encoding in request.Headers.GetAll(SipHeaderNames.ContentEncoding))
            {
                if (!encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    return SipValidationResult.Reject(415, $"Content-Encoding {encoding} is not supported");
                }
            }
        }

        IReadOnlyList<string> accepted = request.Headers.GetAll(SipHeaderNames.Accept);
        if (request.Method == SipMethods.Invite && accepted.Count > 0 && !(accepted.Count == 1 && accepted[0].Length == 0))
        {
            bool anyUsable = false;
            foreach (string range in accepted)
            {
                if (MediaType.TryParseRange(range) is MediaType mediaRange
                    && _options.AnswerContentTypes.Any(mediaRange.Matches))
                {
                    anyUsable = true;
                    break;
                }
            }

            if (!anyUsable)
            {
                return SipValidationResult.Reject(406, "Accept does not allow any body type this endpoint answers with");
            }
        }

        return null;
    }

    private static string? FindMissingOrDuplicated(SipMessage message)
    {
        // RFC 3261 section 8.1.1: To, From, CSeq, Call-ID and Via are mandatory. Max-Forwards is
        // too, but RFC 2543 peers omit it (RFC 4475 inv2543), so it is only checked when present.
        foreach (string name in new[] { SipHeaderNames.To, SipHeaderNames.From, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.Via })
        {
            if (!message.Headers.Contains(name))
            {
                return $"missing {name} header";
            }
        }

        foreach (string name in SingleValuedHeaders)
        {
            if (message.Headers.CountOf(name) > 1)
            {
                return $"more than one {name} header";
            }
        }

        return null;
    }

    private static bool IsRfc1123GmtDate(string value) =>
        DateTime.TryParseExact(
            value,
            "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
            out _);
}
