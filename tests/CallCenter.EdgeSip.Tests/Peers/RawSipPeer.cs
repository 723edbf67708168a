using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// A bare SIP peer over UDP that sends whatever bytes a test writes, well formed or not, and reads the raw answers.
/// It binds a loopback address of its own choosing (127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to the
/// loopback), so the edge's rate limits and trunk allowlist see a source other than the SIPp peers on 127.0.0.1.
/// </summary>
public sealed class RawSipPeer : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    private readonly UdpClient _socket;
    private readonly IPEndPoint _remote;

    public RawSipPeer(IPAddress address, IPEndPoint remote)
    {
        _socket = new UdpClient(new IPEndPoint(address, 0));
        _remote = remote;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    /// <summary>
    /// A request as text, CRLF line ends, a unique branch and From tag, CSeq 1: what the edge accepts from a well
    /// behaved peer. Tests break it (drop a line, change a value) for the malformed cases.
    /// </summary>
    public string Request(string method, string user, string callId, string fromUser = "raw", IEnumerable<string>? extraHeaders = null, string body = "")
    {
        var local = LocalEndPoint;
        var edge = $"{_remote.Address}:{_remote.Port.ToString(CultureInfo.InvariantCulture)}";
        var lines = new List<string>
        {
            $"{method} sip:{user}@{edge} SIP/2.0",
            $"Via: SIP/2.0/UDP {local.Address}:{local.Port.ToString(CultureInfo.InvariantCulture)};branch=z9hG4bK{Guid.NewGuid():N};rport",
            $"From: <sip:{fromUser}@{local.Address}>;tag={Guid.NewGuid():N}",
            $"To: <sip:{user}@{edge}>",
            $"Call-ID: {callId}",
            $"CSeq: 1 {method}",
            $"Contact: <sip:{fromUser}@{local.Address}:{local.Port.ToString(CultureInfo.InvariantCulture)}>",
            "Max-Forwards: 70",
        };
        lines.AddRange(extraHeaders ?? []);
        lines.Add($"Content-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}");
        return string.Join("\r\n", lines) + "\r\n\r\n" + body;
    }

    public Task SendAsync(string message) => SendAsync(Encoding.UTF8.GetBytes(message));

    public async Task SendAsync(byte[] datagram) => await _socket.SendAsync(datagram, _remote);

    /// <summary>The next datagram from the edge, as text and parsed; throws <see cref="TimeoutException"/> when none comes in time.</summary>
    public async Task<RawSipResponse> ReceiveAsync(TimeSpan? wait = null)
    {
        using var limit = new CancellationTokenSource(wait ?? DefaultWait);
        try
        {
            var datagram = await _socket.ReceiveAsync(limit.Token);
            return new RawSipResponse(Encoding.UTF8.GetString(datagram.Buffer));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no answer from {_remote} to {LocalEndPoint} within {(wait ?? DefaultWait).TotalSeconds} s");
        }
    }

    /// <summary>Responses until one for <paramref name="callId"/> arrives: the others that came first, then that one.</summary>
    public async Task<(IReadOnlyList<RawSipResponse> Before, RawSipResponse Answer)> ReceiveUntilAsync(string callId, TimeSpan? wait = null)
    {
        var before = new List<RawSipResponse>();
        while (true)
        {
            var response = await ReceiveAsync(wait);
            if (response.CallId == callId)
            {
                return (before, response);
            }

            before.Add(response);
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>
/// A response as it came off the wire. Read from the text, not parsed: an answer to a malformed request copies the
/// broken header (a CSeq that is not a number), which a strict parser refuses.
/// </summary>
public sealed record RawSipResponse(string Text)
{
    /// <summary>The status code of <c>SIP/2.0 &lt;code&gt; &lt;reason&gt;</c>.</summary>
    public int StatusCode => int.Parse(Text.Split(' ', 3)[1], CultureInfo.InvariantCulture);

    public string? CallId => Header("Call-ID") ?? Header("i");

    /// <summary>The header lines named <paramref name="name"/> (case-insensitive) as they are on the wire.</summary>
    public IReadOnlyList<string> HeaderLines(string name) =>
        Text.Split("\r\n").TakeWhile(line => line.Length > 0).Skip(1)
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The first value of a header, trimmed; null when absent.</summary>
    public string? Header(string name) => HeaderLines(name).FirstOrDefault()?[(name.Length + 1)..].Trim();

    /// <summary>The response parsed (throws <see cref="SipParseException"/> when it does not parse).</summary>
    public SipResponse Parse() => (SipResponse)SipMessageParser.Parse(Encoding.UTF8.GetBytes(Text));
}
