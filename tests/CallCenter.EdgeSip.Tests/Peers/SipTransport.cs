namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>The SIP transport a peer uses towards the edge (RTP is always UDP).</summary>
public enum SipTransport
{
    Udp,
    Tcp,
}

public static class SipTransportExtensions
{
    /// <summary>SIPp's <c>-t</c> value: one socket for every call (<c>u1</c>, <c>t1</c>).</summary>
    public static string ToSippMode(this SipTransport transport) => transport == SipTransport.Tcp ? "t1" : "u1";

    /// <summary>The <c>transport</c> URI parameter value.</summary>
    public static string ToUriParameter(this SipTransport transport) => transport == SipTransport.Tcp ? "tcp" : "udp";
}
