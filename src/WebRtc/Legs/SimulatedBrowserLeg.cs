using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Srtp;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Legs;

/// <summary>
/// The browser's side of one media leg, made of our own pieces, on its own UDP socket: a controlling ICE agent that
/// sends one nominating Binding check (USE-CANDIDATE, ICE-CONTROLLING, PRIORITY, integrity under the edge's password),
/// a DTLS-SRTP client, and SRTP sessions from its keys. Used by the leg tests and by the planned `bench webrtc`.
/// It sends a single check (no ICE retransmission), which is enough on loopback or a lossless link.
/// </summary>
public sealed class SimulatedBrowserLeg : IAsyncDisposable
{
    private const uint CheckPriority = 1853824767;
    private const int MaxPacketLength = 1500;

    private readonly Socket _socket;
    private readonly TimeProvider _timeProvider;
    private readonly IReadOnlyList<DtlsSrtpProfile> _profiles;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = new byte[MaxPacketLength];
    private readonly TaskCompletionSource<bool> _nominated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiveLoop;
    private IPEndPoint? _edge;
    private byte[]? _checkTransactionId;
    private byte[]? _edgeIceKey;
    private volatile DtlsSrtpSession? _dtls;
    private SrtpSession? _outbound;
    private volatile SrtpSession? _inbound;

    public SimulatedBrowserLeg(IPAddress localAddress, TimeProvider timeProvider, IReadOnlyList<DtlsSrtpProfile>? profiles = null)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _profiles = profiles ?? [DtlsSrtpProfile.Aes128CmHmacSha1_80];
        _socket = new Socket(localAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(localAddress, 0));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        using var random = RandomNumberGenerator.Create();
        Ice = IceCredentials.Generate(random);
        Certificate = DtlsCertificate.CreateSelfSigned(timeProvider);
    }

    /// <summary>Each decrypted RTP packet from the edge (on the receive loop's thread).</summary>
    public event LegPacketHandler? RtpReceived;

    /// <summary>Each decrypted RTCP packet from the edge.</summary>
    public event LegPacketHandler? RtcpReceived;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The browser's ICE credentials, as its SDP would carry them.</summary>
    public IceCredentials Ice { get; }

    /// <summary>The browser's certificate; its fingerprint is what the edge gets from the SDP.</summary>
    public DtlsCertificate Certificate { get; }

    /// <summary>The DTLS session once <see cref="ConnectAsync"/> has started it.</summary>
    public DtlsSrtpSession? Dtls => _dtls;

    /// <summary>SRTP packets from the edge that did not unprotect.</summary>
    public long SrtpFailures => Interlocked.Read(ref _srtpFailures);

    private long _srtpFailures;

    /// <summary>
    /// Nominates the edge's address with one ICE check, waits for the authenticated success response, then runs
    /// the DTLS handshake as the client and sets up SRTP. Bound the wait with <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<DtlsHandshakeResult> ConnectAsync(IPEndPoint edge, IceCredentials edgeIce,
        IReadOnlyList<DtlsFingerprint> edgeFingerprints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edge);
        ArgumentNullException.ThrowIfNull(edgeIce);
        if (_receiveLoop is not null)
        {
            throw new InvalidOperationException("A simulated browser leg connects once.");
        }

        _edge = edge;
        _edgeIceKey = StunIntegrity.ShortTermKey(edgeIce.Password);
        _checkTransactionId = RandomNumberGenerator.GetBytes(StunWire.TransactionIdLength);
        var check = new StunMessageBuilder(StunClass.Request, StunMethod.Binding, _checkTransactionId)
            .AddUsername($"{edgeIce.Ufrag}:{Ice.Ufrag}")
            .AddPriority(CheckPriority)
            .AddIceControlling(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)))
            .AddUseCandidate()
            .Build(_edgeIceKey);
        _dtls = new DtlsSrtpSession(
            new DtlsSrtpOptions { Role = DtlsRole.Client, LocalCertificate = Certificate, RemoteFingerprints = edgeFingerprints, Profiles = _profiles },
            new EdgeSender(this),
            _timeProvider);
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stop.Token), CancellationToken.None);

        SendRaw(check);
        await _nominated.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = await _dtls.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            var keys = result.Keys!;
            var profile = DtlsSrtpProfiles.ToSrtpProfile(keys.Profile);
            lock (_sendLock)
            {
                _outbound = new SrtpSession(profile, keys.LocalMasterKey, keys.LocalMasterSalt);
            }

            _inbound = new SrtpSession(profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
        }

        return result;
    }

    /// <summary>Protects and sends a plain RTP packet to the edge; false before keys.</summary>
    public bool SendRtp(ReadOnlySpan<byte> plainPacket) => SendProtected(plainPacket, rtcp: false);

    /// <summary>Protects and sends a plain RTCP packet to the edge; false before keys.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> plainPacket) => SendProtected(plainPacket, rtcp: true);

    /// <summary>Sends bytes as they are from the browser's socket to the edge (tests use it for bad input).</summary>
    public void SendRaw(ReadOnlySpan<byte> datagram)
    {
        if (_edge is { } edge)
        {
            _socket.SendTo(datagram, SocketFlags.None, edge);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        _dtls?.Dispose();
        lock (_sendLock)
        {
            _outbound?.Dispose();
        }

        _inbound?.Dispose();
        _stop.Dispose();
    }

    private bool SendProtected(ReadOnlySpan<byte> plainPacket, bool rtcp)
    {
        lock (_sendLock)
        {
            if (_outbound is not { } outbound || outbound.ProtectCopy(plainPacket, rtcp, _sendBuffer, out var protectedLength) != SrtpStatus.Ok)
            {
                return false;
            }

            SendRaw(_sendBuffer.AsSpan(0, protectedLength));
            return true;
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxPacketLength];
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP port-unreachable from a closed edge socket surfaces here; keep listening.
                continue;
            }

            if (!received.RemoteEndPoint.Equals(_edge))
            {
                continue;
            }

            Handle(buffer.AsSpan(0, received.ReceivedBytes));
        }
    }

    private void Handle(Span<byte> datagram)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                var parsed = StunParser.Parse(datagram, _edgeIceKey);
                if (parsed.Message is { Class: StunClass.SuccessResponse } response
                    && parsed.Failure == StunParseFailure.None
                    && response.TransactionId.Span.SequenceEqual(_checkTransactionId))
                {
                    _nominated.TrySetResult(true);
                }

                break;
            case PacketKind.Dtls:
                _dtls?.DeliverDatagram(datagram);
                break;
            case PacketKind.RtpOrRtcp when _inbound is { } inbound:
                var rtcp = WebRtcMediaLeg.IsRtcp(datagram);
                var status = rtcp
                    ? inbound.UnprotectRtcp(datagram, datagram.Length, out var plainLength)
                    : inbound.UnprotectRtp(datagram, datagram.Length, out plainLength);
                if (status != SrtpStatus.Ok)
                {
                    Interlocked.Increment(ref _srtpFailures);
                }
                else if (rtcp)
                {
                    RtcpReceived?.Invoke(datagram[..plainLength]);
                }
                else
                {
                    RtpReceived?.Invoke(datagram[..plainLength]);
                }

                break;
        }
    }

    private sealed class EdgeSender(SimulatedBrowserLeg browser) : IDtlsDatagramSender
    {
        public void SendDatagram(ReadOnlySpan<byte> datagram) => browser.SendRaw(datagram);
    }
}
