namespace CallCenter.WebRtc.Stun;

/// <summary>An ERROR-CODE value (RFC 5389 section 15.6): a code from 300 to 699 and a UTF-8 reason phrase.</summary>
public sealed record StunErrorCode(int Code, string Reason)
{
    public const int TryAlternate = 300;
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int UnknownAttribute = 420;
    public const int RoleConflict = 487;
    public const int ServerError = 500;
}
