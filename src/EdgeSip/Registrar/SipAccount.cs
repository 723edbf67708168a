namespace CallCenter.EdgeSip.Registrar;

/// <summary>
/// A SIP account from configuration: the digest username (also the user part of its address-of-record),
/// its password, and the agent it belongs to. Usernames are case-sensitive.
/// </summary>
public sealed record SipAccount(string Username, string Password, string AgentId)
{
    /// <summary>The password is a secret: it never appears in logs through <see cref="object.ToString"/>.</summary>
    public override string ToString() => $"SipAccount {{ Username = {Username}, AgentId = {AgentId} }}";
}
