using CallCenter.Sip;
using CallCenter.Sip.Reliability;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Signalling;

/// <summary>
/// What the edge supports, said the same way everywhere: the Allow lists (RFC 3261 sections 8.2.1, 11, 20.5), the
/// option tags of Supported, and the 420 for a Require the edge cannot meet (section 8.2.2.3).
/// </summary>
internal static class SipCapabilities
{
    /// <summary>Methods the edge accepts outside a dialog or inside one (REGISTER only outside).</summary>
    public const string EdgeMethods = "INVITE, ACK, CANCEL, BYE, PRACK, REFER, NOTIFY, INFO, OPTIONS, UPDATE, REGISTER";

    /// <summary>Methods inside a call's dialog with an agent's phone (REFER: the phone's blind transfer).</summary>
    public const string AgentDialogMethods = "INVITE, ACK, CANCEL, BYE, PRACK, REFER, NOTIFY, INFO, OPTIONS, UPDATE";

    /// <summary>Methods inside a caller's dialog (a caller does not transfer).</summary>
    public const string CallerDialogMethods = "INVITE, ACK, CANCEL, BYE, PRACK, NOTIFY, INFO, OPTIONS, UPDATE";

    /// <summary>Option tags the edge implements: 100rel (RFC 3262). Timer, replaces and the others are refused with 420 when required.</summary>
    public static IReadOnlyList<string> SupportedOptionTags { get; } = [ReliableProvisionalHeaders.OptionTag];

    /// <summary>The Supported header's value.</summary>
    public static string Supported => string.Join(", ", SupportedOptionTags);

    /// <summary>405 with the Allow header it must carry (RFC 3261 section 8.2.1).</summary>
    public static void RespondMethodNotAllowed(SipServerTransaction transaction, string allow = EdgeMethods)
    {
        var response = SipMessageFactory.CreateResponse(transaction.Request, 405, "Method Not Allowed");
        response.Headers.Add(SipHeaderNames.Allow, allow);
        transaction.SendResponse(response);
    }

    /// <summary>200 to OPTIONS: what the edge accepts and supports (RFC 3261 section 11.2).</summary>
    public static void RespondToOptions(SipServerTransaction transaction, string allow = EdgeMethods)
    {
        var ok = SipMessageFactory.CreateResponse(transaction.Request, 200, "OK");
        ok.Headers.Add(SipHeaderNames.Allow, allow);
        ok.Headers.Add(SipHeaderNames.Accept, "application/sdp");
        AddSupported(ok);
        transaction.SendResponse(ok);
    }

    /// <summary>Adds the edge's Allow and Supported to a request or response that opens or refreshes a dialog.</summary>
    public static void Describe(SipMessage message, string allow)
    {
        message.Headers.Set(SipHeaderNames.Allow, allow);
        AddSupported(message);
    }

    // With no option tag to name, the header is left out rather than sent empty.
    private static void AddSupported(SipMessage message)
    {
        if (SupportedOptionTags.Count > 0)
        {
            message.Headers.Set(SipHeaderNames.Supported, Supported);
        }
    }

    /// <summary>The option tags of <paramref name="request"/>'s Require that the edge does not support.</summary>
    public static IReadOnlyList<string> UnsupportedRequired(SipRequest request) =>
        request.Headers.GetAll(SipHeaderNames.Require)
            .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(tag => !SupportedOptionTags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>
    /// Answers 420 Bad Extension, listing them in Unsupported, when the request requires extensions the edge lacks
    /// (RFC 3261 section 8.2.2.3); ACK and CANCEL are exempt (Require does not apply to them). True when answered.
    /// </summary>
    public static bool RefuseUnsupportedExtensions(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.Method is SipMethods.Ack or SipMethods.Cancel || UnsupportedRequired(request) is not { Count: > 0 } unsupported)
        {
            return false;
        }

        var response = SipMessageFactory.CreateResponse(request, 420, "Bad Extension");
        response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
        transaction.SendResponse(response);
        return true;
    }
}
