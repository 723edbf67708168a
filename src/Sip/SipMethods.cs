namespace CallCenter.Sip;

/// <summary>Method names from RFC 3261 and its common extensions. Methods are case-sensitive.</summary>
public static class SipMethods
{
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Info = "INFO";
    public const string Invite = "INVITE";
    public const string Message = "MESSAGE";
    public const string Notify = "NOTIFY";
    public const string Options = "OPTIONS";
    public const string Prack = "PRACK";
    public const string Publish = "PUBLISH";
    public const string Refer = "REFER";
    public const string Register = "REGISTER";
    public const string Subscribe = "SUBSCRIBE";
    public const string Update = "UPDATE";

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        Ack, Bye, Cancel, Info, Invite, Message, Notify, Options, Prack, Publish, Refer, Register, Subscribe, Update,
    };

    /// <summary>All methods this layer recognises (exact, case-sensitive match).</summary>
    public static IReadOnlySet<string> Known => KnownMethods;

    public static bool IsKnown(string method) => KnownMethods.Contains(method);
}
