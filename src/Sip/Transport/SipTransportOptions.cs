namespace CallCenter.Sip.Transport;

/// <summary>Limits shared by the socket transports.</summary>
public sealed class SipTransportOptions
{
    /// <summary>
    /// The largest message a stream transport accepts (header section plus body). A connection
    /// whose next message is larger is closed. UDP is limited by the datagram size anyway.
    /// </summary>
    public int MaxMessageSize { get; init; } = 64 * 1024;

    /// <summary>
    /// The UDP socket's kernel buffers. The default (about 200 KB) overflows at a few thousand datagrams a second when
    /// the process pauses for tens of milliseconds (a GC), and a lost 200 OK costs a whole call.
    /// </summary>
    public int UdpSocketBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Answer requests that fail to parse with the parser's suggested status (400, 505, 501).</summary>
    public bool AnswerMalformedRequests { get; init; } = true;
}
