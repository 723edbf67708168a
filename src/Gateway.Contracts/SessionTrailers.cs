namespace CallCenter.Gateway.Contracts;

/// <summary>
/// Metadata the gateway adds to an UNAUTHENTICATED status so a desktop can tell a session the contact center ended
/// (logout elsewhere, a supervisor's or admin's sign-out, a changed secret) from a token that merely expired: the
/// first must not be undone by logging in again, the second is renewed.
/// </summary>
public static class SessionTrailers
{
    /// <summary>Present ("true") when the token's session was ended by the contact center.</summary>
    public const string Ended = "session-ended";
}
