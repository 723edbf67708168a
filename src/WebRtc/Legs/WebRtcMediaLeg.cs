using System.Net;
using CallCenter.WebRtc.Dtls;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Srtp;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Legs;

/// <summary>
/// One browser's media on one UDP endpoint: ICE-lite, then DTLS-SRTP from the selected address, then SRTP and SRTCP
/// with rtcp-mux. The caller owns the socket: it hands every datagram in with <see cref="ReceiveDatagram"/> and the
/// leg sends through the delegate it was given. Received datagrams come from one thread (the port's reader); sends
/// may come from any thread. The owner stops handing datagrams in before it disposes the leg.
/// </summary>
public sealed class WebRtcMediaLeg : IDisposable
{
    private const int MaxPacketLength = 1500;

    private readonly LegDatagramSender _send;
    private readonly IceLiteAgent _ice;
    private readonly DtlsSrtpSession _dtls;
    private readonly Lock _stateLock = new();
    private readonly Lock _sendLock = new();
    private readonly byte[] _receiveBuffer = new byte[MaxPacketLength];
    private readonly byte[] _sendBuffer = new byte[MaxPacketLength];
    private readonly TaskCompletionSource<WebRtcLegState> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SrtpSession? _outbound;
    private SrtpSession? _inbound;
    private volatile bool _hasKeys;
    private int _handshakeStarted;
    private WebRtcLegState _state = WebRtcLegState.New;

    public WebRtcMediaLeg(WebRtcMediaLegOptions options, LegDatagramSender send, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _send = send;
        _ice = new IceLiteAgent(options.LocalIce, timeProvider);
        if (options.RemoteIce is { } remote)
        {
            _ice.SetRemoteCredentials(remote);
        }

        _ice.SelectedRemoteChanged += OnSelectedRemoteChanged;
        _dtls = new DtlsSrtpSession(
            new DtlsSrtpOptions
            {
                Role = options.DtlsRole,
                LocalCertificate = options.LocalCertificate,
                RemoteFingerprints = options.RemoteFingerprints,
                Profiles = options.Profiles,
                HandshakeTimeout = options.HandshakeTimeout,
            },
            new SelectedAddressSender(this),
            timeProvider);
    }

    /// <summary>Each decrypted RTP packet (header and payload, plain).</summary>
    public event LegPacketHandler? RtpReceived;

    /// <summary>Each decrypted RTCP compound packet.</summary>
    public event LegPacketHandler? RtcpReceived;

    /// <summary>Each drop as it is counted, for the caller's logs and for tests to await.</summary>
    public event Action<LegDropReason>? DatagramDropped;

    public event Action<WebRtcLegState, string?>? StateChanged;

    public IceLiteAgent Ice => _ice;

    public DtlsSrtpSession Dtls => _dtls;

    public WebRtcLegCounters Counters { get; } = new();

    public IPEndPoint? SelectedRemote => _ice.SelectedRemote;

    public WebRtcLegState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Why the leg failed or closed; null while it is fine.</summary>
    public string? Reason { get; private set; }

    /// <summary>The negotiated SRTP profile once connected.</summary>
    public SrtpProfile? Profile { get; private set; }

    /// <summary>Completes when the leg connects, fails or closes, with that state.</summary>
    public Task<WebRtcLegState> Settled => _connected.Task;

    /// <summary>Takes one datagram received on the leg's endpoint. Never throws for anything the network sends.</summary>
    public void ReceiveDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (State is WebRtcLegState.Failed or WebRtcLegState.Closed)
        {
            Drop(LegDropReason.LegEnded);
            return;
        }

        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                ReceiveStun(datagram, source);
                break;
            case PacketKind.Dtls:
                ReceiveDtls(datagram, source);
                break;
            case PacketKind.RtpOrRtcp:
                ReceiveSrtp(datagram, source);
                break;
            default:
                Drop(LegDropReason.Unrecognized);
                break;
        }
    }

    /// <summary>Protects a plain RTP packet and sends it to the selected address; false (and counted) if it cannot.</summary>
    public bool SendRtp(ReadOnlySpan<byte> plainPacket) => SendProtected(plainPacket, rtcp: false);

    /// <summary>The same for an RTCP compound packet (sent with rtcp-mux on the same address).</summary>
    public bool SendRtcp(ReadOnlySpan<byte> plainPacket) => SendProtected(plainPacket, rtcp: true);

    /// <summary>Ends the leg: close_notify to the browser if connected, no more media either way.</summary>
    public void Close()
    {
        if (SetState(WebRtcLegState.Closed, "closed by the owner"))
        {
            _dtls.Close();
        }
    }

    public void Dispose()
    {
        Close();
        _ice.SelectedRemoteChanged -= OnSelectedRemoteChanged;
        _ice.Dispose();
        _dtls.Dispose();
        lock (_sendLock)
        {
            _outbound?.Dispose();
        }

        _inbound?.Dispose();
    }

    private void ReceiveStun(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        var result = _ice.HandleStun(datagram, source);
        if (result.Response is { } response)
        {
            _send(response, source);
        }

        if (result.Outcome is IceLiteOutcome.Answered or IceLiteOutcome.Nominated)
        {
            SetState(WebRtcLegState.Checking, null, onlyFrom: WebRtcLegState.New);
        }
        else
        {
            Drop(LegDropReason.StunFailure);
        }

        if (result.Outcome == IceLiteOutcome.Nominated && Interlocked.Exchange(ref _handshakeStarted, 1) == 0)
        {
            _ = RunHandshakeAsync();
        }
    }

    private void ReceiveDtls(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        // Epoch-0 DTLS records carry no MAC: only the address ICE proved may reach the session.
        if (!source.Equals(_ice.SelectedRemote))
        {
            Drop(LegDropReason.UnselectedAddress);
            return;
        }

        if (_dtls.DeliverDatagram(datagram) != DtlsDatagramVerdict.Accepted)
        {
            Drop(LegDropReason.DtlsFailure);
        }
    }

    private void ReceiveSrtp(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (!source.Equals(_ice.SelectedRemote))
        {
            Drop(LegDropReason.UnselectedAddress);
            return;
        }

        if (!_hasKeys || _inbound is not { } inbound)
        {
            Drop(LegDropReason.BeforeKeys);
            return;
        }

        if (datagram.Length > _receiveBuffer.Length)
        {
            Drop(LegDropReason.SrtpFailure);
            return;
        }

        datagram.CopyTo(_receiveBuffer);
        var rtcp = IsRtcp(datagram);
        var status = rtcp
            ? inbound.UnprotectRtcp(_receiveBuffer, datagram.Length, out var plainLength)
            : inbound.UnprotectRtp(_receiveBuffer, datagram.Length, out plainLength);
        if (status != SrtpStatus.Ok)
        {
            Drop(LegDropReason.SrtpFailure);
            return;
        }

        if (rtcp)
        {
            Counters.CountRtcp();
            RtcpReceived?.Invoke(_receiveBuffer.AsSpan(0, plainLength));
        }
        else
        {
            Counters.CountRtp();
            RtpReceived?.Invoke(_receiveBuffer.AsSpan(0, plainLength));
        }
    }

    /// <summary>RFC 5761 section 4: with rtcp-mux, RTCP packet types 192-223 sit where RTP's marker and payload type are.</summary>
    internal static bool IsRtcp(ReadOnlySpan<byte> packet) => packet.Length >= 2 && packet[1] is >= 192 and <= 223;

    private bool SendProtected(ReadOnlySpan<byte> plainPacket, bool rtcp)
    {
        if (!_hasKeys || State != WebRtcLegState.Connected || _ice.SelectedRemote is not { } destination)
        {
            Drop(LegDropReason.BeforeKeys);
            return false;
        }

        lock (_sendLock)
        {
            if (_outbound!.ProtectCopy(plainPacket, rtcp, _sendBuffer, out var protectedLength) != SrtpStatus.Ok)
            {
                return false;
            }

            _send(_sendBuffer.AsSpan(0, protectedLength), destination);
            return true;
        }
    }

    private async Task RunHandshakeAsync()
    {
        var result = await _dtls.HandshakeAsync().ConfigureAwait(false);
        if (!result.Succeeded)
        {
            SetState(WebRtcLegState.Failed, $"DTLS {result.Failure}: {result.Detail}");
            return;
        }

        var keys = result.Keys!;
        var profile = DtlsSrtpProfiles.ToSrtpProfile(keys.Profile);
        lock (_sendLock)
        {
            _outbound = new SrtpSession(profile, keys.LocalMasterKey, keys.LocalMasterSalt);
        }

        _inbound = new SrtpSession(profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
        Profile = profile;
        _hasKeys = true;
        if (SetState(WebRtcLegState.Connected, null, onlyFrom: WebRtcLegState.Checking))
        {
            _ = WatchDtlsEndAsync();
        }
    }

    private async Task WatchDtlsEndAsync()
    {
        var ended = await _dtls.Ended.ConfigureAwait(false);
        SetState(ended == DtlsSessionState.Closed ? WebRtcLegState.Closed : WebRtcLegState.Failed,
            ended == DtlsSessionState.Closed ? "the DTLS association was closed" : "the DTLS association failed");
    }

    private void OnSelectedRemoteChanged(IPEndPoint? selected)
    {
        if (selected is null && SetState(WebRtcLegState.Failed, "ICE consent expired (RFC 7675)"))
        {
            _dtls.Close();
        }
    }

    private bool SetState(WebRtcLegState next, string? reason, WebRtcLegState? onlyFrom = null)
    {
        lock (_stateLock)
        {
            var ended = _state is WebRtcLegState.Failed or WebRtcLegState.Closed;
            if (ended || _state == next || (onlyFrom is { } from && _state != from))
            {
                return false;
            }

            _state = next;
            Reason = reason;
        }

        if (next is WebRtcLegState.Connected or WebRtcLegState.Failed or WebRtcLegState.Closed)
        {
            _connected.TrySetResult(next);
        }

        StateChanged?.Invoke(next, reason);
        return true;
    }

    private void Drop(LegDropReason reason)
    {
        Counters.CountDrop(reason);
        DatagramDropped?.Invoke(reason);
    }

    /// <summary>DTLS goes to whatever address ICE selected at the moment of sending.</summary>
    private sealed class SelectedAddressSender(WebRtcMediaLeg leg) : IDtlsDatagramSender
    {
        public void SendDatagram(ReadOnlySpan<byte> datagram)
        {
            if (leg._ice.SelectedRemote is { } destination)
            {
                leg._send(datagram, destination);
            }
        }
    }
}
