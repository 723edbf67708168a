using System.Security.Cryptography;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Tests.Ice;

/// <summary>Builds Binding requests the way a browser's full ICE agent in the controlling role sends them.</summary>
internal static class BrowserChecks
{
    public static readonly IceCredentials Browser = new("brws", "browserpasswordbrowserpass");
    public const uint BrowserPriority = 1853824767;
    public const ulong BrowserTieBreaker = 0x1122334455667788;

    public static byte[] NewTransactionId() => RandomNumberGenerator.GetBytes(StunWire.TransactionIdLength);

    public static byte[] Check(IceCredentials edge, bool useCandidate = false, string? password = null,
        string? username = null, byte[]? transactionId = null)
    {
        var builder = Start(transactionId)
            .AddUsername(username ?? $"{edge.Ufrag}:{Browser.Ufrag}")
            .AddPriority(BrowserPriority)
            .AddIceControlling(BrowserTieBreaker);
        if (useCandidate)
        {
            builder.AddUseCandidate();
        }

        return builder.Build(StunIntegrity.ShortTermKey(password ?? edge.Password));
    }

    public static StunMessageBuilder Start(byte[]? transactionId = null)
        => new(StunClass.Request, StunMethod.Binding, transactionId ?? NewTransactionId());
}
