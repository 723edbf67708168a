using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Transactions;

/// <summary>The top Via a transaction layer puts on what it sends and stamps on what it receives.</summary>
internal static class SipViaStamping
{
    /// <summary>
    /// A top Via for a request to send: one is added (host <paramref name="viaHost"/>, else the transport's local
    /// address) when there is none, or its branch filled in; an existing top Via with a branch is kept.
    /// </summary>
    public static void PrepareOutbound(SipRequest request, ISipTransport transport, string? viaHost)
    {
        int index = -1;
        for (int i = 0; i < request.Headers.Count; i++)
        {
            if (request.Headers[i].Name == SipHeaderNames.Via)
            {
                index = i;
                break;
            }
        }

        if (index >= 0 && request.TopVia is { Branch: not null })
        {
            return;
        }

        ViaHeader via;
        if (index >= 0)
        {
            via = request.TopVia!;
            request.Headers.RemoveFirst(SipHeaderNames.Via);
        }
        else
        {
            IPEndPoint local = transport.LocalEndPoint;
            string host = viaHost ?? (local.AddressFamily == AddressFamily.InterNetworkV6
                ? "[" + local.Address + "]"
                : local.Address.ToString());
            via = new ViaHeader(transport.Protocol, host, local.Port);
            index = 0;
        }

        via.Parameters.Set("branch", SipMessageFactory.NewBranch());
        request.Headers.Insert(index, new SipHeader(SipHeaderNames.Via, via.ToString()));
    }

    /// <summary>
    /// Section 18.2.1: a top Via whose sent-by host is not the source address gets received=;
    /// an empty rport gets the source port (RFC 3581). Responses copy the Via, so they carry both.
    /// </summary>
    public static void StampReceived(SipRequest request, IPEndPoint source)
    {
        ViaHeader? via = request.TopVia;
        if (via is null)
        {
            return;
        }

        string sourceHost = source.Address.ToString();
        string sentByHost = via.Host.Trim('[', ']');
        bool changed = false;
        if (!sentByHost.Equals(sourceHost, StringComparison.OrdinalIgnoreCase))
        {
            via.Parameters.Set("received", sourceHost);
            changed = true;
        }

        if (via.HasRPort && via.RPort is null)
        {
            via.Parameters.Set("rport", source.Port.ToString(CultureInfo.InvariantCulture));
            changed = true;
        }

        if (changed)
        {
            ReplaceTopVia(request, via);
        }
    }

    private static void ReplaceTopVia(SipMessage message, ViaHeader via)
    {
        for (int i = 0; i < message.Headers.Count; i++)
        {
            if (message.Headers[i].Name == SipHeaderNames.Via)
            {
                message.Headers.RemoveFirst(SipHeaderNames.Via);
                message.Headers.Insert(i, new SipHeader(SipHeaderNames.Via, via.ToString()));
                return;
            }
        }
    }
}
