using CallCenter.Sip.Dialogs;

namespace CallCenter.Sip.Reliability;

/// <summary>What a UAC does with a provisional response to its INVITE (RFC 3262 section 4).</summary>
public enum ProvisionalHandling
{
    /// <summary>Not sent reliably: processed as usual, no PRACK.</summary>
    Unreliable,

    /// <summary>A reliable provisional in order (the first of its dialog, or one above the last): processed and PRACKed.</summary>
    ProcessAndPrack,

    /// <summary>A retransmission or one out of order: neither processed again nor PRACKed.</summary>
    Ignore,
}

/// <summary>
/// The UAC side of RFC 3262 for one INVITE: per early dialog (the To tag), the RSeq of the last reliable provisional
/// taken; the next one must be exactly one higher, anything else (a retransmission, a gap) is ignored (section 4).
/// </summary>
public sealed class ReliableProvisionalReceiver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, uint> _lastRSeqByDialog = new(StringComparer.Ordinal);

    /// <summary>Decides what to do with <paramref name="provisional"/>; <paramref name="rseq"/> is its RSeq when it is reliable.</summary>
    public ProvisionalHandling Receive(SipResponse provisional, out uint rseq)
    {
        rseq = 0;
        if (!ReliableProvisionalHeaders.TryReadReliable(provisional, out rseq))
        {
            return ProvisionalHandling.Unreliable;
        }

        var dialog = provisional.To?.Tag ?? "";
        lock (_gate)
        {
            if (_lastRSeqByDialog.TryGetValue(dialog, out var last) && rseq != last + 1)
            {
                return ProvisionalHandling.Ignore;
            }

            _lastRSeqByDialog[dialog] = rseq;
            return ProvisionalHandling.ProcessAndPrack;
        }
    }

    /// <summary>The PRACK for a reliable provisional with <paramref name="rseq"/>, in the early dialog it created (section 7.2).</summary>
    public static SipRequest CreatePrack(SipDialog earlyDialog, uint rseq, SipRequest invite)
    {
        var cseq = invite.CSeq ?? throw new ArgumentException("the INVITE has no CSeq", nameof(invite));
        var prack = earlyDialog.CreateRequest(SipMethods.Prack);
        prack.Headers.Add(ReliableProvisionalHeaders.RAck, ReliableProvisionalHeaders.FormatRAck(rseq, cseq.Number, cseq.Method));
        return prack;
    }
}
