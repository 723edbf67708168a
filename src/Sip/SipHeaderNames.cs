namespace CallCenter.Sip;

/// <summary>Canonical header names, compact forms and the comma-list rules.</summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string AcceptContact = "Accept-Contact";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string Contact = "Contact";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string Identity = "Identity";
    public const string MaxForwards = "Max-Forwards";
    public const string ProxyRequire = "Proxy-Require";
    public const string RecordRoute = "Record-Route";
    public const string ReferredBy = "Referred-By";
    public const string ReferTo = "Refer-To";
    public const string RejectContact = "Reject-Contact";
    public const string RequestDisposition = "Request-Disposition";
    public const string Require = "Require";
    public const string Route = "Route";
    public const string SessionExpires = "Session-Expires";
    public const string Subject = "Subject";
    public const string Supported = "Supported";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string Via = "Via";

    // RFC 3261 section 7.3.3 plus the compact forms later RFCs registered with IANA.
    private static readonly Dictionary<char, string> CompactForms = new()
    {
        ['a'] = AcceptContact,
        ['b'] = ReferredBy,
        ['c'] = ContentType,
        ['d'] = RequestDisposition,
        ['e'] = ContentEncoding,
        ['f'] = From,
        ['i'] = CallId,
        ['j'] = RejectContact,
        ['k'] = Supported,
        ['l'] = ContentLength,
        ['m'] = Contact,
        ['o'] = Event,
        ['r'] = ReferTo,
        ['s'] = Subject,
        ['t'] = To,
        ['u'] = AllowEvents,
        ['v'] = Via,
        ['x'] = SessionExpires,
        ['y'] = Identity,
    };

    private static readonly string[] KnownNames =
    [
        Accept, "Accept-Encoding", "Accept-Language", AcceptContact, "Alert-Info", Allow, AllowEvents,
        "Authentication-Info", Authorization, CallId, "Call-Info", Contact, "Content-Disposition",
        ContentEncoding, "Content-Language", ContentLength, ContentType, CSeq, Date, "Error-Info", Event,
        Expires, From, Identity, "In-Reply-To", MaxForwards, "Min-Expires", "MIME-Version", "Organization",
        "Path", "Priority", "Proxy-Authenticate", "Proxy-Authorization", ProxyRequire, "RAck", "Reason",
        RecordRoute, ReferredBy, ReferTo, RejectContact, "Reply-To", RequestDisposition, Require,
        "Retry-After", Route, "RSeq", "Server", "Service-Route", SessionExpires, Subject, Supported,
        "Timestamp", To, Unsupported, "User-Agent", Via, "Warning", "WWW-Authenticate",
        "P-Asserted-Identity", "P-Preferred-Identity", "Subscription-State", "Min-SE", "Replaces",
    ];

    private static readonly Dictionary<string, string> CanonicalNames =
        KnownNames.ToDictionary(name => name, name => name, StringComparer.OrdinalIgnoreCase);

    // Headers whose grammar is "1#element": a comma separates values, so a line holding several
    // values is split into several headers. Everything else (WWW-Authenticate, Authorization,
    // Date, Subject, unknown extension headers, ...) may hold commas legitimately and is kept whole.
    private static readonly HashSet<string> CommaListNames = new(StringComparer.OrdinalIgnoreCase)
    {
        Accept, "Accept-Encoding", "Accept-Language", AcceptContact, "Alert-Info", Allow, AllowEvents,
        "Call-Info", Contact, ContentEncoding, "Content-Language", "Error-Info", "In-Reply-To", "Path",
        ProxyRequire, "Reason", RecordRoute, RejectContact, RequestDisposition, Require, Route,
        "Service-Route", Supported, Unsupported, Via, "Warning", "P-Asserted-Identity", "P-Preferred-Identity",
    };

    /// <summary>Maps a compact form to its long name and a known name to its canonical spelling.</summary>
    public static string Canonicalize(string name)
    {
        if (name.Length == 1 && CompactForms.TryGetValue(char.ToLowerInvariant(name[0]), out string? longName))
        {
            return longName;
        }

        return CanonicalNames.TryGetValue(name, out string? canonical) ? canonical : name;
    }

    /// <summary>True when the header's values may be split on commas outside quotes and angle brackets.</summary>
    public static bool IsCommaList(string canonicalName) => CommaListNames.Contains(canonicalName);
}
