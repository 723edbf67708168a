using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Legs;
using CallCenter.WebRtc.Tests.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Legs;

/// <summary>
/// What the edge's port reader will do for one leg: a UDP socket on 127.0.0.1 whose every datagram goes to the
/// <see cref="WebRtcMediaLeg"/>, which sends through the same socket; and a simulated browser facing it.
/// </summary>
internal sealed class LegTestHost : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private LegTestHost(FakeTimeProvider time, DtlsSrtpProfile profile)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        Browser = new SimulatedBrowserLeg(IPAddress.Loopback, time, [profile]);
        EdgeCertificate = DtlsCertificate.CreateSelfSigned(time);
        EdgeIce = IceCredentials.Generate(RandomNumberGenerator.Create());
        Leg = new WebRtcMediaLeg(
            new WebRtcMediaLegOptions
            {
                LocalIce = EdgeIce,
                RemoteIce = Browser.Ice,
                LocalCertificate = EdgeCertificate,
                RemoteFingerprints = [Browser.Certificate.Fingerprint],
                Profiles = [profile],
            },
            (datagram, destination) => _socket.SendTo(datagram, SocketFlags.None, destination),
            time);
        Drops = new DropWatcher(Leg);
        _pump = Task.Run(() => PumpAsync(_stop.Token));
    }

    public IPEndPoint EndPoint { get; }

    public IceCredentials EdgeIce { get; }

    public DtlsCertificate EdgeCertificate { get; }

    public WebRtcMediaLeg Leg { get; }

    public SimulatedBrowserLeg Browser { get; }

    public DropWatcher Drops { get; }

    public static LegTestHost Start(DtlsSrtpProfile profile = DtlsSrtpProfile.Aes128CmHmacSha1_80) => new(new FakeTimeProvider(), profile);

    /// <summary>Starts the host and brings the browser to a connected leg, asserting both ends succeeded.</summary>
    public static async Task<LegTestHost> ConnectedAsync(DtlsSrtpProfile profile = DtlsSrtpProfile.Aes128CmHmacSha1_80)
    {
        var host = Start(profile);
        var browser = await Bounded.Within(host.Browser.ConnectAsync(host.EndPoint, host.EdgeIce, [host.EdgeCertificate.Fingerprint]), "the browser's ICE and DTLS");
        Assert.True(browser.Succeeded, browser.Detail);
        Assert.Equal(WebRtcLegState.Connected, await Bounded.Within(host.Leg.Settled, "the leg to connect"));
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await Bounded.Within(_pump.ContinueWith(_ => true, TaskScheduler.Default), "the edge pump to stop");
        Leg.Dispose();
        await Browser.DisposeAsync();
        _stop.Dispose();
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Leg.ReceiveDatagram(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
        }
    }
}

/// <summary>Lets a test await the leg's drop counters reaching a number, instead of sleeping.</summary>
internal sealed class DropWatcher
{
    private readonly WebRtcMediaLeg _leg;
    private readonly Lock _lock = new();
    private readonly List<(LegDropReason Reason, long Count, TaskCompletionSource Signal)> _waiters = [];

    public DropWatcher(WebRtcMediaLeg leg)
    {
        _leg = leg;
        leg.DatagramDropped += _ => Check();
    }

    public Task WaitForAsync(LegDropReason reason, long count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiters.Add((reason, count, signal));
        }

        Check();
        return Bounded.Within(signal.Task.ContinueWith(_ => true, TaskScheduler.Default), $"{count} drops of {reason}");
    }

    private void Check()
    {
        lock (_lock)
        {
            _waiters.RemoveAll(w =>
            {
                if (_leg.Counters[w.Reason] < w.Count)
                {
                    return false;
                }

                w.Signal.TrySetResult();
                return true;
            });
        }
    }
}

/// <summary>Collects received packets (copied) and lets a test await a number of them.</summary>
internal sealed class PacketCollector
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _packets = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    public IReadOnlyList<byte[]> Packets
    {
        get
        {
            lock (_lock)
            {
                return [.. _packets];
            }
        }
    }

    public void Add(ReadOnlySpan<byte> packet)
    {
        lock (_lock)
        {
            _packets.Add(packet.ToArray());
            _waiters.RemoveAll(w =>
            {
                if (_packets.Count < w.Count)
                {
                    return false;
                }

                w.Signal.TrySetResult();
                return true;
            });
        }
    }

    public Task WaitForAsync(int count, string what)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_packets.Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((count, signal));
        }

        return Bounded.Within(signal.Task.ContinueWith(_ => true, TaskScheduler.Default), what);
    }
}

internal static class LegPackets
{
    public static byte[] Rtp(ushort sequence, uint ssrc, int payload = 160, byte fill = 0)
    {
        var packet = new byte[12 + payload];
        packet[0] = 0x80;
        packet[1] = 0; // PCMU
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        packet[8] = (byte)(ssrc >> 24);
        packet[9] = (byte)(ssrc >> 16);
        packet[10] = (byte)(ssrc >> 8);
        packet[11] = (byte)ssrc;
        for (var i = 12; i < packet.Length; i++)
        {
            packet[i] = (byte)(i + sequence + fill);
        }

        return packet;
    }

    /// <summary>An RTCP receiver report with no report blocks (packet type 201, RFC 3550 section 6.4.2).</summary>
    public static byte[] ReceiverReport(uint ssrc) =>
        [0x80, 201, 0, 1, (byte)(ssrc >> 24), (byte)(ssrc >> 16), (byte)(ssrc >> 8), (byte)ssrc];
}
