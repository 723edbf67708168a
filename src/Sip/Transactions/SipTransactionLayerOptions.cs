namespace CallCenter.Sip.Transactions;

public sealed class SipTransactionLayerOptions
{
    public SipTimerOptions Timers { get; init; } = new();

    /// <summary>
    /// Answer CANCEL in the layer (section 9.2): 200 to the CANCEL and 487 to a pending INVITE,
    /// 481 when no INVITE matches. The TU hears about it through <see cref="SipTransactionLayer.InviteCancelled"/>.
    /// When false, CANCEL reaches the TU as an ordinary request.
    /// </summary>
    public bool HandleCancel { get; init; } = true;

    /// <summary>The host put in the sent-by of Vias the layer adds; defaults to the transport's bound address.</summary>
    public string? ViaHost { get; init; }
}
