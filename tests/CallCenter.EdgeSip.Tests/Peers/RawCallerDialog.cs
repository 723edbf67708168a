using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using CallCenter.Sip;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Sdp;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// A caller written by hand over UDP, for offer/answer cases SIPp scenarios make awkward: an INVITE with or without
/// SDP, the ACK with or without an answer, re-INVITEs and UPDATEs with any direction, and an RTP socket to see the
/// edge's media. It answers the edge's BYE with 200.
/// </summary>
public sealed class RawCallerDialog : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly UdpClient _sip;
    private readonly IPEndPoint _edge;
    private readonly Channel<SipMessage> _inbound = Channel.CreateUnbounded<SipMessage>();

    // Messages a wait for something else passed over, for NextResponseAsync.
    private readonly List<SipMessage> _passedOver = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private readonly string _fromTag = Guid.NewGuid().ToString("N")[..10];
    private uint _cseq;
    private uint _inviteCSeq;
    private string? _toTag;
    private string? _edgeContact;
    private int _sdpVersion;

    public RawCallerDialog(IPAddress address, IPEndPoint edge, string callerNumber, string dialled)
    {
        _sip = new UdpClient(new IPEndPoint(address, 0));
        Rtp = new UdpClient(new IPEndPoint(address, 0));
        _edge = edge;
        CallerNumber = callerNumber;
        Dialled = dialled;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public string CallId { get; } = "raw-dialog-" + Guid.NewGuid().ToString("N");

    public string CallerNumber { get; }

    public string Dialled { get; }

    /// <summary>Where the edge sends our RTP (the port of our SDP).</summary>
    public UdpClient Rtp { get; }

    private IPEndPoint Local => (IPEndPoint)_sip.Client.LocalEndPoint!;

    /// <summary>Our SDP with <paramref name="direction"/> (null: no attribute) and a version that goes up each time.</summary>
    public string Sdp(string? direction = "sendrecv", string? connection = null)
    {
        var address = Local.Address.ToString();
        var version = (++_sdpVersion).ToString(CultureInfo.InvariantCulture);
        var port = ((IPEndPoint)Rtp.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        return $"v=0\r\no=raw 42 {version} IN IP4 {address}\r\ns=-\r\nc=IN IP4 {connection ?? address}\r\nt=0 0\r\n"
            + $"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
            + (direction is null ? "" : $"a={direction}\r\n");
    }

    /// <summary>The INVITE (with <paramref name="sdp"/> as its offer, or none) and its final response.</summary>
    public async Task<SipResponse> InviteAsync(string? sdp, params string[] extraHeaders)
    {
        var response = await SendAsync(SipMethods.Invite, sdp, extraHeaders);
        if (response.StatusCode is >= 200 and < 300)
        {
            _toTag = response.To?.Tag;
            _edgeContact = NameAddress.Parse(response.Headers.GetFirst(SipHeaderNames.Contact)!, "Contact").Uri.ToString();
        }

        return response;
    }

    /// <summary>An in-dialog request (re-INVITE, UPDATE, ...) and its final response.</summary>
    public Task<SipResponse> RequestAsync(string method, string? sdp, params string[] extraHeaders) => SendAsync(method, sdp, extraHeaders);

    /// <summary>The ACK for the last INVITE's 2xx, carrying <paramref name="sdp"/> (the answer to an offer in the 2xx) or nothing.</summary>
    public Task AckAsync(string? sdp = null) => SendRawAsync(Build(SipMethods.Ack, _inviteCSeq, sdp, []));

    /// <summary>Sends the INVITE without waiting for its final response, to see its provisionals (<see cref="NextResponseAsync"/>).</summary>
    public Task SendInviteAsync(string? sdp, params string[] extraHeaders)
    {
        _inviteCSeq = ++_cseq;
        return SendRawAsync(Build(SipMethods.Invite, _inviteCSeq, sdp, extraHeaders));
    }

    /// <summary>The next response that <paramref name="match"/> accepts, including any an earlier wait passed over.</summary>
    public async Task<SipResponse> NextResponseAsync(Func<SipResponse, bool> match)
    {
        if (_passedOver.OfType<SipResponse>().FirstOrDefault(match) is { } earlier)
        {
            _passedOver.Remove(earlier);
            return earlier;
        }

        using var limit = new CancellationTokenSource(Wait);
        while (true)
        {
            var message = await _inbound.Reader.ReadAsync(limit.Token);
            if (message is SipResponse response && match(response))
            {
                return response;
            }

            _passedOver.Add(message);
        }
    }

    /// <summary>Messages passed over by the waits since the last <see cref="ForgetPassedOver"/>.</summary>
    public IReadOnlyList<SipMessage> PassedOver => _passedOver;

    public void ForgetPassedOver() => _passedOver.Clear();

    /// <summary>Takes the dialog a response with a To tag created (early, from a reliable 18x, or confirmed): later requests use its tag and Contact.</summary>
    public void EnterDialog(SipResponse response)
    {
        _toTag = response.To?.Tag;
        _edgeContact = NameAddress.Parse(response.Headers.GetFirst(SipHeaderNames.Contact)!, "Contact").Uri.ToString();
    }

    /// <summary>Our BYE and its response.</summary>
    public Task<SipResponse> ByeAsync() => SendAsync(SipMethods.Bye, null, []);

    /// <summary>The next request the edge sends (answered 200 when it is a BYE); other messages before it are skipped.</summary>
    public async Task<SipRequest> NextRequestAsync(string method)
    {
        using var limit = new CancellationTokenSource(Wait);
        while (true)
        {
            if (await _inbound.Reader.ReadAsync(limit.Token) is SipRequest request && request.Method == method)
            {
                return request;
            }
        }
    }

    /// <summary>The next RTP datagram the edge sends to our SDP's port.</summary>
    public async Task<byte[]> NextRtpAsync()
    {
        using var limit = new CancellationTokenSource(Wait);
        return (await Rtp.ReceiveAsync(limit.Token)).Buffer;
    }

    /// <summary>The SDP body of a message.</summary>
    public static SdpSessionDescription SdpOf(SipMessage message) => SdpSessionDescription.Parse(Encoding.UTF8.GetString(message.Body));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _sip.Dispose();
        Rtp.Dispose();
        try
        {
            await _receiveLoop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Sends a request with a CSeq of the test's choosing (an out-of-order one), leaving the dialog's own count.</summary>
    public Task<SipResponse> RequestWithCSeqAsync(string method, uint cseq, string? sdp = null) => SendAsync(method, sdp, [], cseq);

    private async Task<SipResponse> SendAsync(string method, string? sdp, string[] extraHeaders, uint? chosenCSeq = null)
    {
        var cseq = chosenCSeq ?? ++_cseq;
        if (method == SipMethods.Invite)
        {
            _inviteCSeq = cseq;
        }

        await SendRawAsync(Build(method, cseq, sdp, extraHeaders));
        using var limit = new CancellationTokenSource(Wait);
        while (true)
        {
            var message = await _inbound.Reader.ReadAsync(limit.Token);
            if (message is SipResponse response && response.StatusCode >= 200 && response.CSeq is { } answered
                && answered.Number == cseq && answered.Method == method)
            {
                return response;
            }

            _passedOver.Add(message);
        }
    }

    private string Build(string method, uint cseq, string? sdp, string[] extraHeaders)
    {
        var local = Local;
        var sentBy = $"{local.Address}:{local.Port.ToString(CultureInfo.InvariantCulture)}";
        var edge = $"{_edge.Address}:{_edge.Port.ToString(CultureInfo.InvariantCulture)}";
        var target = _toTag is null ? $"sip:{Dialled}@{edge}" : _edgeContact!;
        var body = sdp ?? "";
        var lines = new List<string>
        {
            $"{method} {target} SIP/2.0",
            $"Via: SIP/2.0/UDP {sentBy};branch=z9hG4bK{Guid.NewGuid():N};rport",
            $"From: <sip:{CallerNumber}@{local.Address}>;tag={_fromTag}",
            $"To: <sip:{Dialled}@{edge}>" + (_toTag is null ? "" : ";tag=" + _toTag),
            $"Call-ID: {CallId}",
            $"CSeq: {cseq.ToString(CultureInfo.InvariantCulture)} {method}",
            $"Contact: <sip:{CallerNumber}@{sentBy}>",
            "Max-Forwards: 70",
        };
        lines.AddRange(extraHeaders);
        if (body.Length > 0)
        {
            lines.Add("Content-Type: application/sdp");
        }

        lines.Add($"Content-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}");
        return string.Join("\r\n", lines) + "\r\n\r\n" + body;
    }

    private async Task SendRawAsync(string message) => await _sip.SendAsync(Encoding.UTF8.GetBytes(message), _edge);

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var datagram = await _sip.ReceiveAsync(_stop.Token);
            var message = SipMessageParser.Parse(datagram.Buffer);
            if (message is SipRequest { Method: SipMethods.Bye } bye)
            {
                await SendRawAsync(OkTo(bye));
            }

            _inbound.Writer.TryWrite(message);
        }
    }

    private static string OkTo(SipRequest request)
    {
        var lines = new List<string> { "SIP/2.0 200 OK" };
        lines.AddRange(request.Headers.GetAll(SipHeaderNames.Via).Select(via => "Via: " + via));
        foreach (var name in new[] { SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq })
        {
            lines.Add(name + ": " + request.Headers.GetFirst(name));
        }

        lines.Add("Content-Length: 0");
        return string.Join("\r\n", lines) + "\r\n\r\n";
    }
}
