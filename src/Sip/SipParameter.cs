namespace CallCenter.Sip;

/// <summary>
/// One ";name[=value]" parameter. <see cref="Value"/> is null for a flag parameter such as ";lr".
/// For header parameters the value is kept as written (a quoted-string keeps its quotes);
/// for SIP URI parameters it holds the value with %HH escapes decoded.
/// </summary>
public sealed record SipParameter(string Name, string? Value);
