using System.Globalization;
using System.Text;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;

namespace CallCenter.EdgeSip.Signalling;

/// <summary>
/// The implicit subscription a REFER creates (RFC 3515 section 2.4.4, RFC 6665): a NOTIFY with <c>SIP/2.0 100 Trying</c>
/// and <c>Subscription-State: active;expires=</c> at once, then the outcome's sipfrag with
/// <c>terminated;reason=noresource</c>. NOTIFYs go one at a time in CSeq order; a 481 (the referrer forgot the
/// subscription), a timeout or any other failure ends the subscription, so nothing more is sent, and never touches the
/// call: the transfer itself stands.
/// </summary>
internal sealed class ReferSubscription(SipDialog dialog, Func<SipRequest, Task<SipResponse>> send)
{
    /// <summary>How long the subscription is said to last in the first NOTIFY; the outcome comes well before.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private Task _last = Task.CompletedTask;
    private bool _ended;

    /// <summary>True once the final NOTIFY went, or a NOTIFY failed (481 or any other failure).</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>The first NOTIFY, sent right after the 202: the REFER is being acted on.</summary>
    public Task NotifyTryingAsync() =>
        Enqueue("SIP/2.0 100 Trying", "active;expires=" + ((int)Expiry.TotalSeconds).ToString(CultureInfo.InvariantCulture), final: false);

    /// <summary>The final NOTIFY with <paramref name="statusLine"/> (<c>SIP/2.0 200 OK</c>, <c>SIP/2.0 603 Declined</c>), unless the subscription ended.</summary>
    public Task NotifyOutcomeAsync(string statusLine) => Enqueue(statusLine, "terminated;reason=noresource", final: true);

    private Task Enqueue(string statusLine, string state, bool final)
    {
        lock (_gate)
        {
            _last = SendAfterAsync(_last, statusLine, state, final);
            return _last;
        }
    }

    private async Task SendAfterAsync(Task previous, string statusLine, string state, bool final)
    {
        await previous.ConfigureAwait(false);
        SipRequest notify;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = final;

            // Built only when its turn comes, so CSeqs go up in the order the NOTIFYs are sent.
            notify = dialog.CreateRequest(SipMethods.Notify);
        }

        notify.Headers.Add("Event", "refer");
        notify.Headers.Add("Subscription-State", state);
        notify.Headers.Add(SipHeaderNames.ContentType, "message/sipfrag;version=2.0");
        notify.Body = Encoding.UTF8.GetBytes(statusLine + "\r\n");
        SipResponse response;
        try
        {
            response = await send(notify).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            End();
            return;
        }

        if (response.StatusCode >= 300)
        {
            // RFC 6665 4.2.2: a 481 means the subscription is gone; after a timeout or another failure the edge stops too.
            End();
        }
    }

    private void End()
    {
        lock (_gate)
        {
            _ended = true;
        }
    }
}
