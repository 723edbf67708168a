namespace CallCenter.EdgeSip.Registrar;

/// <summary>
/// A SIP account given with its password (tests, a registrar without a directory): the digest username (also the
/// user part of its address-of-record), its password, and the agent it belongs to. Usernames are case-sensitive.
/// <see cref="SipRegistrar"/> hashes the password into HA1 at once and keeps no password.
/// </summary>
public sealed record SipAccount(string Username, string Password, string AgentId)
{
    /// <summary>The password is a secret: it never appears in logs through <see cref="object.ToString"/>.</summary>
    public override string ToString() => $"SipAccount {{ Username = {Username}, AgentId = {AgentId} }}";
}
