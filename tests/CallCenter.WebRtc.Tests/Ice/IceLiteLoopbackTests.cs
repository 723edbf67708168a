using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Stun;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Ice;

/// <summary>
/// The agent behind a real UDP socket on loopback, and a client that checks like a browser. The server handles one
/// datagram at a time, so once the answer to a later valid check arrives every earlier datagram has been handled.
/// </summary>
public sealed class IceLiteLoopbackTests : IAsyncLifetime
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly IceCredentials _local = IceCredentials.Generate(RandomNumberGenerator.Create());
    private readonly IceLiteAgent _agent;
    private readonly UdpClient _server = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient _browser = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverLoop;
    private long _notStun;

    public IceLiteLoopbackTests()
    {
        _agent = new IceLiteAgent(_local, new FakeTimeProvider());
        _agent.SetRemoteCredentials(BrowserChecks.Browser);
        _browser.Connect((IPEndPoint)_server.Client.LocalEndPoint!);
        _serverLoop = Task.Run(ServeAsync);
    }

    private IPEndPoint BrowserAddress => (IPEndPoint)_browser.Client.LocalEndPoint!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Dispose();
        try
        {
            await _serverLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _browser.Dispose();
        _agent.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task BrowserChecks_OverUdp_AreAnsweredAndNominateTheBrowsersAddress()
    {
        var first = await CheckAsync(BrowserChecks.Check(_local));
        Assert.Equal(StunClass.SuccessResponse, first.Class);
        Assert.Equal(BrowserAddress, first.XorMappedAddress);
        Assert.Null(_agent.SelectedRemote);

        var nominating = await CheckAsync(BrowserChecks.Check(_local, useCandidate: true));
        Assert.Equal(StunClass.SuccessResponse, nominating.Class);
        Assert.Equal(BrowserAddress, _agent.SelectedRemote);
        Assert.Equal(1, _agent.Counters[IceLiteOutcome.Answered]);
        Assert.Equal(1, _agent.Counters[IceLiteOutcome.Nominated]);
    }

    [Fact]
    public async Task BadPassword_OverUdp_Gets401AndNominatesNothing()
    {
        var response = await CheckAsync(BrowserChecks.Check(_local, useCandidate: true, password: "notthepasswordnotthepassword"));

        Assert.Equal(StunClass.ErrorResponse, response.Class);
        Assert.Equal(StunErrorCode.Unauthorized, response.ErrorCode!.Code);
        Assert.False(response.HasMessageIntegrity);
        Assert.Null(_agent.SelectedRemote);
        Assert.Equal(1, _agent.Counters[IceLiteOutcome.Unauthorized]);
    }

    [Fact]
    public async Task GarbageDatagrams_OverUdp_AreDroppedAndCounted()
    {
        var validCheck = BrowserChecks.Check(_local);
        var badFingerprint = (byte[])validCheck.Clone();
        badFingerprint[^1] ^= 0x5A;
        var badCookie = BrowserChecks.Check(_local);
        badCookie[5] ^= 0xFF;
        byte[][] garbage =
        [
            [0x00, 0x01, 0x00],
            badFingerprint,
            badCookie,
            [0xFF, 0xFE, 0xFD, 0xFC],
            [0x16, 0xFE, 0xFD, 0x00, 0x00],
        ];
        foreach (var datagram in garbage)
        {
            await _browser.SendAsync(datagram);
        }

        var response = await CheckAsync(BrowserChecks.Check(_local, useCandidate: true));

        Assert.Equal(StunClass.SuccessResponse, response.Class);
        Assert.Equal(3, _agent.Counters[IceLiteOutcome.DroppedMalformed]);
        Assert.Equal(1, _agent.Counters[StunParseFailure.Truncated]);
        Assert.Equal(1, _agent.Counters[StunParseFailure.BadFingerprint]);
        Assert.Equal(1, _agent.Counters[StunParseFailure.BadMagicCookie]);
        Assert.Equal(2, Interlocked.Read(ref _notStun));
        Assert.Equal(BrowserAddress, _agent.SelectedRemote);
    }

    /// <summary>Sends a check and returns the first datagram that comes back, which must answer that check.</summary>
    private async Task<StunMessage> CheckAsync(byte[] request)
    {
        var transactionId = StunParser.Parse(request).Message!.TransactionId.ToArray();
        await _browser.SendAsync(request);
        using var timeout = new CancellationTokenSource(ReceiveTimeout);
        UdpReceiveResult received;
        try
        {
            received = await _browser.ReceiveAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No answer from the ICE-lite agent to a check within {ReceiveTimeout}.");
        }

        var parsed = StunParser.Parse(received.Buffer);
        Assert.Equal(StunParseFailure.None, parsed.Failure);
        Assert.Equal(transactionId, parsed.Message!.TransactionId.ToArray());
        if (parsed.Message.HasMessageIntegrity)
        {
            Assert.True(parsed.Message.VerifyMessageIntegrity(StunIntegrity.ShortTermKey(_local.Password)));
        }

        return parsed.Message;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _server.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            // As the edge will: only what RFC 7983 calls STUN goes to the agent.
            if (PacketClassifier.Classify(datagram.Buffer) != PacketKind.Stun)
            {
                Interlocked.Increment(ref _notStun);
                continue;
            }

            var result = _agent.HandleStun(datagram.Buffer, datagram.RemoteEndPoint);
            if (result.Response is { } response)
            {
                try
                {
                    await _server.SendAsync(response, datagram.RemoteEndPoint, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
            }
        }
    }
}
