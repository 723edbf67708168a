namespace CallCenter.Sip.Dialogs;

/// <summary>A dialog's identity (section 12): Call-ID, local tag and remote tag, from this UA's point of view.</summary>
public sealed record SipDialogId(string CallId, string LocalTag, string RemoteTag)
{
    /// <summary>The id of the dialog an incoming request belongs to: local tag from To, remote tag from From.</summary>
    public static SipDialogId? FromIncomingRequest(SipRequest request) =>
        request.CallId is string callId && request.To?.Tag is string local && request.From?.Tag is string remote
            ? new SipDialogId(callId, local, remote)
            : null;

    /// <summary>The id of the dialog a response to our request belongs to: local tag from From, remote tag from To.</summary>
    public static SipDialogId? FromIncomingResponse(SipResponse response) =>
        response.CallId is string callId && response.From?.Tag is string local && response.To?.Tag is string remote
            ? new SipDialogId(callId, local, remote)
            : null;
}
