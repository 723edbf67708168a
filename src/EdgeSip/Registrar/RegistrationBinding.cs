using System.Net;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>
/// One contact binding of an address-of-record (RFC 3261 section 10): where requests for
/// <paramref name="Username"/> go, learned from an authenticated REGISTER.
/// </summary>
/// <param name="Username">The account (the user part of the address-of-record).</param>
/// <param name="AgentId">The agent the account belongs to.</param>
/// <param name="ContactUri">The Contact URI as registered, without its header parameters (expires, q, ...).</param>
/// <param name="Source">The transport address the REGISTER came from (behind NAT this differs from the Contact).</param>
/// <param name="Transport">The transport the REGISTER came over, as the edge named it (for example "UDP" or "TCP").</param>
/// <param name="ExpiresAt">When the binding expires unless refreshed.</param>
/// <param name="CallId">The Call-ID of the REGISTER that last created or refreshed the binding.</param>
/// <param name="CSeq">The CSeq number of that REGISTER.</param>
public sealed record RegistrationBinding(
    string Username,
    string AgentId,
    string ContactUri,
    IPEndPoint Source,
    string Transport,
    DateTimeOffset ExpiresAt,
    string CallId,
    uint CSeq)
{
    /// <summary>When the REGISTER that created or last refreshed the binding was accepted.</summary>
    public DateTimeOffset RegisteredAt { get; init; }
}
