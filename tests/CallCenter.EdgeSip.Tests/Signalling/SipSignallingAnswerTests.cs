using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip;
using CallCenter.Sip.Transactions;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Signalling;

/// <summary>The 2xx to an INVITE: repeated until its ACK, and reported when 64·T1 pass without one (RFC 3261 13.3.1.4).</summary>
public sealed class SipSignallingAnswerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly UdpClient _peer = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly TaskCompletionSource<SipServerTransaction> _invite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ack = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SipServerTransaction> _notAcknowledged = [];
    private SipSignalling _signalling = null!;

    public Task InitializeAsync()
    {
        _signalling = new SipSignalling(IPAddress.Loopback, 0, udp: true, tcp: false, "127.0.0.1", _time);
        _signalling.RequestReceived += transaction => _invite.TrySetResult(transaction);
        _signalling.AckReceived += _ => _ack.TrySetResult();
        _signalling.AnswerNotAcknowledged += transaction =>
        {
            lock (_notAcknowledged)
            {
                _notAcknowledged.Add(transaction);
            }
        };
        _signalling.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _peer.Dispose();
        await _signalling.DisposeAsync();
    }

    [Fact]
    public async Task AnswerWithoutAck_IsReportedAfter64T1_NotBefore()
    {
        var transaction = await AnswerInviteAsync();

        AdvanceMilliseconds(31_500);
        Assert.Empty(_notAcknowledged);
        AdvanceMilliseconds(500);

        Assert.Same(transaction, Assert.Single(_notAcknowledged));
    }

    [Fact]
    public async Task AnswerAcknowledged_IsNeverReported()
    {
        await AnswerInviteAsync();
        await SendAsync(Request("ACK", "z9hG4bKack1"));
        await _ack.Task.WaitAsync(TimeSpan.FromSeconds(10));

        AdvanceMilliseconds(40_000);

        Assert.Empty(_notAcknowledged);
    }

    private void AdvanceMilliseconds(int milliseconds)
    {
        for (var elapsed = 0; elapsed < milliseconds; elapsed += 100)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    private async Task<SipServerTransaction> AnswerInviteAsync()
    {
        await SendAsync(Request("INVITE", "z9hG4bKinvite1"));
        var transaction = await _invite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var ok = SipMessageFactory.CreateResponse(transaction.Request, 200, "OK", "edgetag");
        ok.Headers.Add(SipHeaderNames.Contact, "<sip:edge@127.0.0.1>");
        _signalling.SendAnswer(transaction, ok);
        return transaction;
    }

    private string Request(string method, string branch)
    {
        var local = (IPEndPoint)_peer.Client.LocalEndPoint!;
        var toTag = method == "ACK" ? ";tag=edgetag" : "";
        return $"{method} sip:7001@127.0.0.1:{_signalling.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local.Port};branch={branch}\r\n"
            + $"From: <sip:caller@127.0.0.1>;tag=caller\r\nTo: <sip:7001@127.0.0.1>{toTag}\r\nCall-ID: unacked-1\r\nCSeq: 1 {method}\r\n"
            + $"Contact: <sip:caller@127.0.0.1:{local.Port}>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    private async Task SendAsync(string message) =>
        await _peer.SendAsync(Encoding.UTF8.GetBytes(message), new IPEndPoint(IPAddress.Loopback, _signalling.Port));
}
