using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>One decoded audio packet: 8 kHz PCM16 samples and the packet's RTP timestamp.</summary>
/// <remarks>The samples live in a buffer the endpoint reuses: copy them if you keep them past the callback.</remarks>
public readonly record struct AudioFrame(ReadOnlyMemory<short> Samples, uint Timestamp);

/// <summary>
/// One RTP stream (one call leg) on its own UDP socket from an <see cref="RtpPortPool"/>.
/// <list type="bullet">
/// <item>Receiving: one receive loop per socket on pooled buffers. Valid RTP from the remote is counted, fed to
/// <see cref="Statistics"/>, decoded for <see cref="AudioReceived"/> (PCMU or PCMA, whichever arrives), turned into
/// <see cref="DtmfReceived"/> digits (RFC 4733, once per event), and handed to the <see cref="MediaBridge"/> if any.
/// RTCP multiplexed on the port and non-RTP datagrams are ignored.</item>
/// <item>Symmetric RTP (<see cref="RtpRemote"/>): the first packet after <see cref="SetRemote"/> latches the remote onto its source address;
/// afterwards packets from another address are dropped unless they carry the latched SSRC (the same phone behind a
/// NAT that changed its mapping), in which case the endpoint follows them. Without <see cref="SetRemote"/> the
/// endpoint latches onto the first sender.</item>
/// <item>Sending (<see cref="RtpSender"/>): each 20 ms <see cref="MediaClock"/> tick sends one frame of what
/// <see cref="Play"/> set, or the next RFC 4733 packet of a digit from <see cref="SendDtmf"/> (audio pauses during a
/// digit and 40 ms after it). When nothing plays, nothing is sent (no comfort noise). Relayed packets from a bridge go
/// out as they arrive, re-stamped with this stream's SSRC, sequence numbers and timestamps, unless a local source or
/// digit is playing: local media wins. <see cref="Muted"/> stops all sending.</item>
/// </list>
/// </summary>
public sealed class RtpEndpoint : IAsyncDisposable, IMediaClockListener
{
    public const int DefaultTelephoneEventPayloadType = 101;
    internal const int MaxDatagram = 2048;

    private readonly Socket _socket;
    private readonly RtpPortPool _pool;
    private readonly MediaClock _clock;
    private readonly RtpRemote _remote;
    private readonly RtpSender _sender;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
    private readonly short[] _decodeBuffer = new short[MaxDatagram];
    private readonly long _arrivalStart;
    private readonly Task _receiveLoop;

    // Receive state: only the receive loop writes it.
    private volatile TelephoneEventReceiver _eventReceiver;
    private volatile MediaBridge? _bridge;
    private long _packetsReceived;
    private int _disposed;

    private RtpEndpoint(RtpPortPool pool, MediaClock clock, Socket socket)
    {
        _pool = pool;
        _clock = clock;
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _remote = new RtpRemote(LocalEndPoint.AddressFamily);
        _sender = new RtpSender(socket, clock, _remote);
        _eventReceiver = new TelephoneEventReceiver(DefaultTelephoneEventPayloadType);
        Statistics = new RtpReceiveStatistics(MediaClock.SampleRate, clock.TimeProvider);
        _arrivalStart = clock.TimeProvider.GetTimestamp();
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        clock.Add(this);
    }

    /// <summary>A digit (0-9, *, #, A-D) received as an RFC 4733 event, raised once per event on the receive loop.</summary>
    public event Action<char>? DtmfReceived;

    /// <summary>Each received PCMU/PCMA packet, decoded, raised on the receive loop. See <see cref="AudioFrame"/> about the buffer.</summary>
    public event Action<AudioFrame>? AudioReceived;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The codec sent (from the SDP answer). Both PCMU and PCMA are decoded on receive, whatever this says.</summary>
    public AudioCodec Codec
    {
        get => _sender.Codec;
        set => _sender.Codec = value is AudioCodec.Pcmu or AudioCodec.Pcma ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "only PCMU and PCMA");
    }

    /// <summary>The dynamic payload type of telephone-event (RFC 4733), for sending and receiving. Default 101.</summary>
    public int TelephoneEventPayloadType
    {
        get => _eventReceiver.PayloadType;
        set
        {
            if (value is < 96 or > 127)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "telephone-event uses a dynamic payload type (96-127)");
            }

            _sender.SetTelephoneEventPayloadType(value);
            _eventReceiver = new TelephoneEventReceiver(value);
        }
    }

    /// <summary>Where RTP is sent: the address from <see cref="SetRemote"/>, or the latched source of received packets.</summary>
    public IPEndPoint? RemoteEndPoint => _remote.EndPoint;

    /// <summary>The SSRC of the stream this endpoint sends.</summary>
    public uint Ssrc => _sender.Ssrc;

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    public long PacketsSent => _sender.PacketsSent;

    /// <summary>Sends the socket refused (e.g. no route); the packets are dropped.</summary>
    public long SendErrors => _sender.SendErrors;

    /// <summary>RFC 3550 reception statistics of the latched source. Written by the receive loop; reads from other threads are approximate.</summary>
    public RtpReceiveStatistics Statistics { get; }

    /// <summary>When true nothing is sent (hold 'inactive' / 'recvonly'); playback still advances so timing is kept.</summary>
    public bool Muted
    {
        get => _sender.Muted;
        set => _sender.Muted = value;
    }

    /// <summary>Whether a local source is playing now.</summary>
    public bool IsPlaying => _sender.IsPlaying;

    /// <summary>Raised after each datagram has been fully handled (bridge included); lets tests wait without sleeping.</summary>
    internal event Action? DatagramHandled;

    internal MediaClock Clock => _clock;

    internal MediaBridge? Bridge => _bridge;

    /// <summary>Opens an endpoint on the next free even port of <paramref name="pool"/>, ticking on <paramref name="clock"/>. Sends PCMU until told otherwise.</summary>
    public static RtpEndpoint Open(RtpPortPool pool, MediaClock clock)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(clock);
        Socket socket = pool.Rent();
        try
        {
            return new RtpEndpoint(pool, clock, socket);
        }
        catch
        {
            int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            socket.Dispose();
            pool.Return(port);
            throw;
        }
    }

    /// <summary>The remote address from SDP. Latching starts again: the next received packet's source wins.</summary>
    public void SetRemote(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (remote.AddressFamily != LocalEndPoint.AddressFamily)
        {
            throw new ArgumentException($"remote {remote} is not in the address family of {LocalEndPoint}", nameof(remote));
        }

        _remote.Set(remote);
    }

    /// <summary>
    /// Replaces what is playing (a pending <see cref="PlayAsync"/> completes). <c>null</c> stops local playback:
    /// nothing is sent until something plays again or a bridge relays audio.
    /// </summary>
    public void Play(IMediaSource? source) => _sender.Play(source);

    /// <summary>Plays <paramref name="source"/>; completes when it ends or another Play replaces it, and is cancelled (stopping playback) by <paramref name="cancellationToken"/>.</summary>
    public Task PlayAsync(IMediaSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _sender.PlayAsync(source, cancellationToken);
    }

    /// <summary>
    /// Queues one RFC 4733 digit (0-9, *, #, A-D) of <paramref name="duration"/> (rounded up to 20 ms, at most about
    /// 8 s): a packet every tick with the growing duration, the first with the marker bit, then three end packets.
    /// Digits queued together go out one after another with 40 ms between them.
    /// </summary>
    public void SendDtmf(char digit, TimeSpan duration)
    {
        if (!TelephoneEvents.TryGetEvent(digit, out byte eventCode))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D)", nameof(digit));
        }

        long frames = Math.Max(1, (duration.Ticks + MediaClock.FrameDuration.Ticks - 1) / MediaClock.FrameDuration.Ticks);
        if (frames * MediaClock.SamplesPerFrame > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "an event lasts at most 65535 timestamp units (about 8 s)");
        }

        _sender.QueueDtmf(eventCode, (int)frames);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _clock.Remove(this);
        _bridge?.Dispose();
        _socket.Dispose();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _pool.Return(LocalEndPoint.Port);
        _sender.Play(null);
    }

    void IMediaClockListener.OnTick(long tick) => _sender.OnTick(tick);

    /// <summary>
    /// Sends a packet relayed from the other leg of a bridge: audio (transcoded to <see cref="Codec"/> if needed) or a
    /// telephone event (<paramref name="sourceCodec"/> null). Returns false when it was not sent (local media playing,
    /// muted, no remote).
    /// </summary>
    internal bool SendRelayed(in RtpHeader header, ReadOnlySpan<byte> payload, AudioCodec? sourceCodec) => _sender.SendRelayed(header, payload, sourceCodec);

    /// <summary>Decodes a received payload into the receive loop's buffer (valid until the next packet).</summary>
    internal ReadOnlySpan<short> DecodeReceived(AudioCodec codec, ReadOnlySpan<byte> payload)
    {
        Span<short> samples = _decodeBuffer.AsSpan(0, payload.Length);
        AudioCodecs.Decode(codec, payload, samples);
        return samples;
    }

    internal void AttachBridge(MediaBridge bridge)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _bridge, bridge, null) is not null)
        {
            throw new InvalidOperationException($"endpoint {LocalEndPoint} is already in a bridge");
        }
    }

    internal void DetachBridge(MediaBridge bridge) => Interlocked.CompareExchange(ref _bridge, null, bridge);

    private async Task ReceiveLoopAsync()
    {
        var from = new SocketAddress(_socket.AddressFamily);
        Memory<byte> buffer = _receiveBuffer;
        while (Volatile.Read(ref _disposed) == 0)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from).ConfigureAwait(false);
            }
            catch (SocketException) when (Volatile.Read(ref _disposed) == 0)
            {
                // ICMP errors reported on the socket (port unreachable...): keep receiving.
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                OnDatagram(_receiveBuffer.AsSpan(0, length), from);
            }
            catch (Exception exception)
            {
                // A failing event handler must not stop the call's media.
                Trace.TraceError($"RTP endpoint {LocalEndPoint}: packet handling failed: {exception}");
            }

            DatagramHandled?.Invoke();
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (!RtpHeader.TryRead(datagram, out RtpHeader header) || RtpHeader.IsRtcp(header.PayloadType) || !_remote.Accept(from, header.Ssrc))
        {
            return;
        }

        Interlocked.Increment(ref _packetsReceived);
        uint arrival = (uint)(_clock.TimeProvider.GetElapsedTime(_arrivalStart).Ticks * MediaClock.SampleRate / TimeSpan.TicksPerSecond);
        Statistics.Record(header.SequenceNumber, header.Timestamp, arrival, header.Ssrc);
        ReadOnlySpan<byte> payload = datagram.Slice(header.PayloadOffset, header.PayloadLength);
        MediaBridge? bridge = _bridge;
        TelephoneEventReceiver events = _eventReceiver;
        if (header.PayloadType == events.PayloadType)
        {
            if (payload.Length < TelephoneEventPayload.Size)
            {
                return;
            }

            // Events are rare: the allocating parser and the shared de-duplicating receiver are fine here.
            if (DtmfReceived is { } dtmf && RtpPacket.TryParse(datagram, out RtpPacket? packet)
                && events.TryReceive(packet, out TelephoneEventDetection? detection) && detection.Digit is char digit)
            {
                dtmf(digit);
            }

            bridge?.OnTelephoneEvent(this, header, payload);
            return;
        }

        if (!AudioCodecs.IsKnown(header.PayloadType) || payload.Length == 0)
        {
            return;
        }

        var codec = (AudioCodec)header.PayloadType;
        if (AudioReceived is { } audio)
        {
            DecodeReceived(codec, payload);
            audio(new AudioFrame(_decodeBuffer.AsMemory(0, payload.Length), header.Timestamp));
        }

        bridge?.OnAudio(this, header, codec, payload);
    }
}
