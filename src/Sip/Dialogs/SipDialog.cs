using System.Globalization;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Dialogs;

public enum SipDialogState
{
    /// <summary>Created by a provisional response with a To tag.</summary>
    Early,

    /// <summary>Created or confirmed by a 2xx.</summary>
    Confirmed,

    Terminated,
}

/// <summary>
/// The dialog state of RFC 3261 section 12: id, local and remote sequence numbers, local and
/// remote URIs, remote target and route set. It builds in-dialog requests (section 12.2.1.1) and
/// the ACK for a 2xx (section 13.2.2.4), and checks incoming in-dialog requests (section 12.2.2).
/// It does not send anything: hand the requests to the transaction layer.
/// </summary>
public sealed class SipDialog
{
    private readonly List<NameAddress> _routeSet;

    private SipDialog(
        SipDialogId id,
        bool isUac,
        NameAddress localUri,
        NameAddress remoteUri,
        AddressUri remoteTarget,
        List<NameAddress> routeSet,
        NameAddress? localContact,
        uint? localSequence,
        uint? remoteSequence,
        uint inviteSequence,
        SipDialogState state)
    {
        Id = id;
        IsUac = isUac;
        LocalUri = localUri;
        RemoteUri = remoteUri;
        RemoteTarget = remoteTarget;
        _routeSet = routeSet;
        LocalContact = localContact;
        LocalSequence = localSequence;
        RemoteSequence = remoteSequence;
        InviteSequence = inviteSequence;
        State = state;
    }

    public SipDialogId Id { get; }

    /// <summary>True when this UA sent the INVITE.</summary>
    public bool IsUac { get; }

    public SipDialogState State { get; private set; }

    /// <summary>Our From (UAC) or To (UAS) address, with our tag.</summary>
    public NameAddress LocalUri { get; }

    /// <summary>The peer's address, with its tag.</summary>
    public NameAddress RemoteUri { get; }

    /// <summary>Where in-dialog requests go: the peer's Contact URI.</summary>
    public AddressUri RemoteTarget { get; private set; }

    /// <summary>The route set, in the order requests carry it.</summary>
    public IReadOnlyList<NameAddress> RouteSet => _routeSet;

    /// <summary>The Contact we put in in-dialog requests, when known.</summary>
    public NameAddress? LocalContact { get; set; }

    /// <summary>The CSeq number of our last request in the dialog; null while empty (UAS before its first request).</summary>
    public uint? LocalSequence { get; private set; }

    /// <summary>The CSeq number of the peer's last request; null while empty (UAC before the peer's first request).</summary>
    public uint? RemoteSequence { get; private set; }

    /// <summary>The CSeq number of the INVITE that created (or last re-INVITEd) the dialog; the ACK for a 2xx reuses it.</summary>
    public uint InviteSequence { get; private set; }

    /// <summary>The URI of the next hop: the first route, or the remote target when the route set is empty.</summary>
    public AddressUri NextHop => _routeSet.Count > 0 ? _routeSet[0].Uri : RemoteTarget;

    /// <summary>
    /// The UAC side (section 12.1.2): from the INVITE we sent and a 2xx, or a 1xx with a To tag
    /// (an early dialog). The route set is the response's Record-Route reversed.
    /// </summary>
    public static SipDialog CreateAsUac(SipRequest invite, SipResponse response)
    {
        (NameAddress from, NameAddress to, string callId, uint sequence) = CreatingExchange(invite, response);
        string localTag = from.Tag ?? throw new ArgumentException("The INVITE's From has no tag.", nameof(invite));
        string remoteTag = to.Tag ?? throw new ArgumentException("The response's To has no tag.", nameof(response));

        List<NameAddress> routes = [.. response.RecordRoutes];
        routes.Reverse();
        AddressUri target = ContactUri(response) ?? invite.RequestUri;
        NameAddress? localContact = invite.Contacts.FirstOrDefault()?.Address;
        return new SipDialog(
            new SipDialogId(callId, localTag, remoteTag), isUac: true, from, to, target, routes, localContact,
            localSequence: sequence, remoteSequence: null, inviteSequence: sequence,
            response.StatusCode >= 200 ? SipDialogState.Confirmed : SipDialogState.Early);
    }

    /// <summary>
    /// The UAS side (section 12.1.1): from the INVITE received and the 1xx/2xx we send, which must
    /// carry our To tag. The route set is the request's Record-Route in order.
    /// </summary>
    public static SipDialog CreateAsUas(SipRequest invite, SipResponse response)
    {
        (NameAddress from, NameAddress to, string callId, uint sequence) = CreatingExchange(invite, response);
        string localTag = to.Tag ?? throw new ArgumentException("The response's To has no tag.", nameof(response));
        string remoteTag = from.Tag ?? string.Empty;

        AddressUri target = ContactUri(invite) ?? from.Uri;
        NameAddress? localContact = response.Contacts.FirstOrDefault()?.Address;
        return new SipDialog(
            new SipDialogId(callId, localTag, remoteTag), isUac: false, to, from, target, [.. invite.RecordRoutes], localContact,
            localSequence: null, remoteSequence: sequence, inviteSequence: sequence,
            response.StatusCode >= 200 ? SipDialogState.Confirmed : SipDialogState.Early);
    }

    /// <summary>What both sides take from the INVITE and the 1xx/2xx that create a dialog (section 12.1).</summary>
    private static (NameAddress From, NameAddress To, string CallId, uint Sequence) CreatingExchange(SipRequest invite, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode is < 101 or > 299)
        {
            throw new ArgumentException("Only a 101-199 or 2xx response creates a dialog.", nameof(response));
        }

        return (
            invite.From ?? throw new ArgumentException("The INVITE has no From.", nameof(invite)),
            response.To ?? throw new ArgumentException("The response has no To.", nameof(response)),
            invite.CallId ?? throw new ArgumentException("The INVITE has no Call-ID.", nameof(invite)),
            invite.CSeq?.Number ?? throw new ArgumentException("The INVITE has no CSeq.", nameof(invite)));
    }

    /// <summary>
    /// Takes a later response to the dialog's INVITE (UAC): a 2xx confirms an early dialog and
    /// replaces its route set (section 13.2.2.4); any response with a Contact refreshes the remote target.
    /// </summary>
    public void OnInviteResponse(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode is >= 200 and < 300 && IsUac && State == SipDialogState.Early)
        {
            _routeSet.Clear();
            _routeSet.AddRange(response.RecordRoutes.Reverse());
            State = SipDialogState.Confirmed;
        }

        if (ContactUri(response) is AddressUri target)
        {
            RemoteTarget = target;
        }
    }

    /// <summary>
    /// Checks an incoming in-dialog request (section 12.2.2): a CSeq number lower than the last one
    /// is out of order (the caller answers 500). A re-INVITE's Contact refreshes the remote target.
    /// </summary>
    /// <returns>False when the request is out of order.</returns>
    public bool TryAcceptRequest(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        uint number = request.CSeq?.Number ?? throw new ArgumentException("The request has no CSeq.", nameof(request));
        if (request.Method is SipMethods.Ack or SipMethods.Cancel)
        {
            return true;
        }

        if (RemoteSequence is uint last && number <= last)
        {
            return false;
        }

        RemoteSequence = number;
        if (request.Method == SipMethods.Invite)
        {
            InviteSequence = number;
            if (ContactUri(request) is AddressUri target)
            {
                RemoteTarget = target;
            }
        }

        if (request.Method == SipMethods.Bye)
        {
            State = SipDialogState.Terminated;
        }

        return true;
    }

    /// <summary>
    /// A new in-dialog request (section 12.2.1.1) with the next local CSeq: To, From, Call-ID,
    /// Request-URI and Route from the dialog state. The Via is left to the transaction layer.
    /// </summary>
    public SipRequest CreateRequest(string method)
    {
        if (method is SipMethods.Ack or SipMethods.Cancel)
        {
            throw new ArgumentException($"{method} does not take a new CSeq; use CreateAck or SipMessageFactory.CreateCancel.", nameof(method));
        }

        uint number = LocalSequence is uint last ? last + 1 : 1;
        LocalSequence = number;
        if (method == SipMethods.Invite)
        {
            InviteSequence = number;
        }

        if (method == SipMethods.Bye)
        {
            State = SipDialogState.Terminated;
        }

        return Build(method, number);
    }

    public SipRequest CreateBye() => CreateRequest(SipMethods.Bye);

    /// <summary>A re-INVITE, optionally carrying an SDP offer.</summary>
    public SipRequest CreateReInvite(byte[]? sdp = null)
    {
        SipRequest request = CreateRequest(SipMethods.Invite);
        AttachBody(request, sdp, "application/sdp");
        return request;
    }

    public SipRequest CreateInfo(byte[]? body = null, string? contentType = null)
    {
        SipRequest request = CreateRequest(SipMethods.Info);
        AttachBody(request, body, contentType);
        return request;
    }

    /// <summary>A REFER (RFC 3515) with the given Refer-To target.</summary>
    public SipRequest CreateRefer(AddressUri referTo)
    {
        ArgumentNullException.ThrowIfNull(referTo);
        SipRequest request = CreateRequest(SipMethods.Refer);
        request.Headers.Add(SipHeaderNames.ReferTo, new NameAddress(referTo).ToString());
        return request;
    }

    /// <summary>
    /// The ACK for a 2xx to the dialog's INVITE (section 13.2.2.4): built like an in-dialog request
    /// but with the INVITE's CSeq number and method ACK. It is sent outside any transaction, with a
    /// new branch (<c>SipTransactionLayer.SendStateless</c>).
    /// </summary>
    public SipRequest CreateAck(byte[]? sdp = null)
    {
        SipRequest ack = Build(SipMethods.Ack, InviteSequence);
        AttachBody(ack, sdp, "application/sdp");
        return ack;
    }

    private static AddressUri? ContactUri(SipMessage message)
    {
        foreach (ContactHeader contact in message.Contacts)
        {
            if (contact.Address is NameAddress address)
            {
                return address.Uri;
            }
        }

        return null;
    }

    private static void AttachBody(SipRequest request, byte[]? body, string? contentType)
    {
        if (body is null || body.Length == 0)
        {
            return;
        }

        request.Body = body;
        request.Headers.Add(SipHeaderNames.ContentType, contentType ?? "application/octet-stream");
    }

    private SipRequest Build(string method, uint number)
    {
        // Section 12.2.1.1: loose routing when the first route has ;lr, strict routing otherwise.
        AddressUri requestUri = RemoteTarget;
        var routes = new List<string>();
        if (_routeSet.Count > 0)
        {
            NameAddress first = _routeSet[0];
            bool loose = first.Uri is SipUri sipUri && sipUri.Parameters.Contains("lr");
            if (loose)
            {
                routes.AddRange(_routeSet.Select(route => route.ToString()));
            }
            else
            {
                requestUri = first.Uri;
                routes.AddRange(_routeSet.Skip(1).Select(route => route.ToString()));
                routes.Add(new NameAddress(RemoteTarget).ToString());
            }
        }

        var request = new SipRequest(method, requestUri);
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (string route in routes)
        {
            request.Headers.Add(SipHeaderNames.Route, route);
        }

        request.Headers.Add(SipHeaderNames.From, LocalUri.ToString());
        request.Headers.Add(SipHeaderNames.To, RemoteUri.ToString());
        request.Headers.Add(SipHeaderNames.CallId, Id.CallId);
        request.Headers.Add(SipHeaderNames.CSeq, number.ToString(CultureInfo.InvariantCulture) + " " + method);
        if (LocalContact is not null && method != SipMethods.Bye)
        {
            request.Headers.Add(SipHeaderNames.Contact, LocalContact.ToString());
        }

        return request;
    }
}
