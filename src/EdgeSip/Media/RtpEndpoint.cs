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
/// <item>Symmetric RTP: the first packet after <see cref="SetRemote"/> latches the remote onto its source address;
/// afterwards packets from another address are dropped unless they carry the latched SSRC (the same phone behind a
/// NAT that changed its mapping), in which case the endpoint follows them. Without <see cref="SetRemote"/> the
/// endpoint latches onto the first sender.</item>
/// <item>Sending: each 20 ms <see cref="MediaClock"/> tick sends one frame of what <see cref="Play"/> set, or the next
/// RFC 4733 packet of a digit from <see cref="SendDtmf"/> (audio pauses during a digit and 40 ms after it). When
/// nothing plays, nothing is sent (no comfort noise). Relayed packets from a bridge go out as they arrive, re-stamped
/// with this stream's SSRC, sequence numbers and timestamps, unless a local source or digit is playing: local media
/// wins. <see cref="Muted"/> stops all sending.</item>
/// </list>
/// </summary>
public sealed class RtpEndpoint : IAsyncDisposable, IMediaClockListener
{
    public const int DefaultTelephoneEventPayloadType = 101;
    private const int MaxDatagram = 2048;
    private const int DtmfGapFrames = 2;

    private readonly Socket _socket;
    private readonly RtpPortPool _pool;
    private readonly MediaClock _clock;
    private readonly IPEndPoint _addressTemplate;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
    private readonly short[] _decodeBuffer = new short[MaxDatagram];
    private readonly long _arrivalStart;
    private readonly Task _receiveLoop;

    // Send state: guarded by _sendLock (the clock tick and relays from the other leg's receive loop both send).
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
    private readonly short[] _frame = new short[MediaClock.SamplesPerFrame];
    private readonly Queue<(byte Event, int Duration)> _dtmfQueue = new();
    private readonly uint _ssrc;
    private readonly uint _initialTimestamp;
    private ushort _sequence;
    private StreamMode _mode;
    private bool _hasSent;
    private uint _lastSentTimestamp;
    private long _lastSentTick;
    private uint _localBaseTimestamp;
    private long _localBaseTick;
    private uint _relaySourceSsrc;
    private uint _relayOffset;
    private Playback? _playback;
    private TelephoneEventSender _eventSender;
    private IReadOnlyList<RtpPacket>? _dtmfPackets;
    private int _dtmfIndex;
    private long _dtmfResumeTick;

    // Receive state: only the receive loop writes it.
    private volatile SocketAddress? _remoteAddress;
    private volatile IPEndPoint? _remote;
    private volatile bool _latched;
    private uint _latchedSsrc;
    private volatile TelephoneEventReceiver _eventReceiver;
    private volatile MediaBridge? _bridge;
    private volatile int _codec;
    private volatile bool _muted;
    private long _packetsReceived;
    private long _packetsSent;
    private long _sendErrors;
    private int _disposed;

    private RtpEndpoint(RtpPortPool pool, MediaClock clock, Socket socket)
    {
        _pool = pool;
        _clock = clock;
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _addressTemplate = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _sequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        _initialTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue + 1L);
        _eventSender = new TelephoneEventSender(DefaultTelephoneEventPayloadType, _ssrc, 0);
        _eventReceiver = new TelephoneEventReceiver(DefaultTelephoneEventPayloadType);
        Statistics = new RtpReceiveStatistics(MediaClock.SampleRate, clock.TimeProvider);
        _arrivalStart = clock.TimeProvider.GetTimestamp();
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        clock.Add(this);
    }

    private enum StreamMode
    {
        None,
        Local,
        Relay,
    }

    /// <summary>A digit (0-9, *, #, A-D) received as an RFC 4733 event, raised once per event on the receive loop.</summary>
    public event Action<char>? DtmfReceived;

    /// <summary>Each received PCMU/PCMA packet, decoded, raised on the receive loop. See <see cref="AudioFrame"/> about the buffer.</summary>
    public event Action<AudioFrame>? AudioReceived;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The codec sent (from the SDP answer). Both PCMU and PCMA are decoded on receive, whatever this says.</summary>
    public AudioCodec Codec
    {
        get => (AudioCodec)_codec;
        set => _codec = value is AudioCodec.Pcmu or AudioCodec.Pcma ? (int)value : throw new ArgumentOutOfRangeException(nameof(value), value, "only PCMU and PCMA");
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

            lock (_sendLock)
            {
                _eventSender = new TelephoneEventSender(value, _ssrc, 0);
            }

            _eventReceiver = new TelephoneEventReceiver(value);
        }
    }

    /// <summary>Where RTP is sent: the address from <see cref="SetRemote"/>, or the latched source of received packets.</summary>
    public IPEndPoint? RemoteEndPoint => _remote;

    /// <summary>The SSRC of the stream this endpoint sends.</summary>
    public uint Ssrc => _ssrc;

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>Sends the socket refused (e.g. no route); the packets are dropped.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>RFC 3550 reception statistics of the latched source. Written by the receive loop; reads from other threads are approximate.</summary>
    public RtpReceiveStatistics Statistics { get; }

    /// <summary>When true nothing is sent (hold 'inactive' / 'recvonly'); playback still advances so timing is kept.</summary>
    public bool Muted
    {
        get => _muted;
        set => _muted = value;
    }

    /// <summary>Whether a local source is playing now.</summary>
    public bool IsPlaying
    {
        get
        {
            lock (_sendLock)
            {
                return _playback is not null;
            }
        }
    }

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

        _latched = false;
        _remoteAddress = remote.Serialize();
        _remote = remote;
    }

    /// <summary>
    /// Replaces what is playing (a pending <see cref="PlayAsync"/> completes). <c>null</c> stops local playback:
    /// nothing is sent until something plays again or a bridge relays audio.
    /// </summary>
    public void Play(IMediaSource? source) => Start(source is null ? null : new Playback(source, null));

    /// <summary>Plays <paramref name="source"/>; completes when it ends or another Play replaces it, and is cancelled (stopping playback) by <paramref name="cancellationToken"/>.</summary>
    public Task PlayAsync(IMediaSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var playback = new Playback(source, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Start(playback);
        if (cancellationToken.CanBeCanceled)
        {
            playback.Registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((Playback)state!).Owner!.Cancel((Playback)state!, token), playback);
        }

        return playback.Completion!.Task;
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

        lock (_sendLock)
        {
            _dtmfQueue.Enqueue((eventCode, (int)frames * MediaClock.SamplesPerFrame));
        }
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
        Start(null);
    }

    void IMediaClockListener.OnTick(long tick)
    {
        lock (_sendLock)
        {
            if (_dtmfPackets is not null || (_dtmfQueue.Count > 0 && tick >= _dtmfResumeTick))
            {
                SendDtmfPacketLocked(tick);
                return;
            }

            Playback? playback = _playback;
            if (playback is null)
            {
                return;
            }

            bool more;
            try
            {
                more = playback.Source.ReadFrame(_frame);
            }
            catch (Exception exception)
            {
                _playback = null;
                _mode = StreamMode.None;
                playback.Finish(exception);
                return;
            }

            if (!more)
            {
                _playback = null;
                _mode = StreamMode.None;
                playback.Finish(null);
                return;
            }

            if (tick < _dtmfResumeTick)
            {
                // The pause after a digit: the source advances but nothing is sent.
                return;
            }

            bool marker = false;
            if (_mode != StreamMode.Local)
            {
                _localBaseTimestamp = NextSegmentTimestampLocked(tick);
                _localBaseTick = tick;
                _mode = StreamMode.Local;
                marker = true;
            }

            if (_muted)
            {
                return;
            }

            uint timestamp = _localBaseTimestamp + (uint)((tick - _localBaseTick) * MediaClock.SamplesPerFrame);
            AudioCodec codec = Codec;
            RtpHeader.Write(_sendBuffer, marker, (int)codec, _sequence++, timestamp, _ssrc);
            AudioCodecs.Encode(codec, _frame, _sendBuffer.AsSpan(RtpHeader.Size, _frame.Length));
            SendLocked(RtpHeader.Size + _frame.Length, timestamp, tick);
        }
    }

    /// <summary>
    /// Sends a packet relayed from the other leg of a bridge: audio (transcoded to <see cref="Codec"/> if needed) or a
    /// telephone event (<paramref name="sourceCodec"/> null). Returns false when it was not sent (local media playing,
    /// muted, no remote).
    /// </summary>
    internal bool SendRelayed(in RtpHeader header, ReadOnlySpan<byte> payload, AudioCodec? sourceCodec)
    {
        if (_muted || _remoteAddress is null || payload.Length > MaxDatagram - RtpHeader.Size)
        {
            return false;
        }

        lock (_sendLock)
        {
            if (_playback is not null || _dtmfPackets is not null || _dtmfQueue.Count > 0)
            {
                return false;
            }

            long tick = _clock.Ticks;
            bool marker = header.Marker;
            if (_mode != StreamMode.Relay || header.Ssrc != _relaySourceSsrc)
            {
                // A new stretch of relayed audio: continue this stream's timeline, then keep the sender's spacing.
                _relayOffset = NextSegmentTimestampLocked(tick) - header.Timestamp;
                _relaySourceSsrc = header.Ssrc;
                _mode = StreamMode.Relay;
                marker = true;
            }

            uint timestamp = header.Timestamp + _relayOffset;
            int payloadType;
            if (sourceCodec is AudioCodec from)
            {
                AudioCodec to = Codec;
                payloadType = (int)to;
                AudioCodecs.Transcode(from, to, payload, _sendBuffer.AsSpan(RtpHeader.Size));
            }
            else
            {
                payloadType = _eventSender.PayloadType;
                payload.CopyTo(_sendBuffer.AsSpan(RtpHeader.Size));
            }

            RtpHeader.Write(_sendBuffer, marker, payloadType, _sequence++, timestamp, _ssrc);
            return SendLocked(RtpHeader.Size + payload.Length, timestamp, tick);
        }
    }

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

    private void Start(Playback? playback)
    {
        Playback? previous;
        lock (_sendLock)
        {
            previous = _playback;
            _playback = playback;
            _mode = StreamMode.None;
            if (playback is not null)
            {
                playback.Owner = this;
            }
        }

        previous?.Finish(null);
    }

    private void Cancel(Playback playback, CancellationToken token)
    {
        lock (_sendLock)
        {
            if (_playback == playback)
            {
                _playback = null;
                _mode = StreamMode.None;
            }
        }

        playback.Completion!.TrySetCanceled(token);
    }

    /// <summary>The timestamp for a new stretch of packets: after the last one sent by the ticks elapsed since (at least one frame).</summary>
    private uint NextSegmentTimestampLocked(long tick)
    {
        if (!_hasSent)
        {
            return _initialTimestamp + (uint)(tick * MediaClock.SamplesPerFrame);
        }

        return _lastSentTimestamp + (uint)(Math.Max(1, tick - _lastSentTick) * MediaClock.SamplesPerFrame);
    }

    private void SendDtmfPacketLocked(long tick)
    {
        if (_dtmfPackets is null)
        {
            (byte eventCode, int duration) = _dtmfQueue.Dequeue();
            uint start = NextSegmentTimestampLocked(tick);
            _dtmfPackets = _eventSender.CreateEvent(eventCode, start, duration, MediaClock.SamplesPerFrame);
            _dtmfIndex = 0;
            _mode = StreamMode.None;
            _hasSent = true;
            _lastSentTimestamp = start;
            _lastSentTick = tick;
        }

        // Updates one per tick; the three end packets together on the last tick.
        do
        {
            RtpPacket packet = _dtmfPackets[_dtmfIndex++];
            if (!_muted)
            {
                packet.SequenceNumber = _sequence++;
                int length = packet.WriteTo(_sendBuffer);
                SendLocked(length, _lastSentTimestamp, _lastSentTick);
            }
        }
        while (_dtmfIndex < _dtmfPackets.Count && _dtmfIndex - 1 >= _dtmfPackets.Count - TelephoneEventSender.EndPacketCount);

        if (_dtmfIndex == _dtmfPackets.Count)
        {
            _dtmfPackets = null;
            _dtmfResumeTick = tick + 1 + DtmfGapFrames;
        }
    }

    private bool SendLocked(int length, uint timestamp, long tick)
    {
        _hasSent = true;
        _lastSentTimestamp = timestamp;
        _lastSentTick = tick;
        SocketAddress? remote = _remoteAddress;
        if (remote is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, remote);
            Interlocked.Increment(ref _packetsSent);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
    }

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
        if (!RtpHeader.TryRead(datagram, out RtpHeader header) || RtpHeader.IsRtcp(header.PayloadType) || !AcceptSource(from, header.Ssrc))
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

    /// <summary>Symmetric RTP: see the class remarks.</summary>
    private bool AcceptSource(SocketAddress from, uint ssrc)
    {
        SocketAddress? remote = _remoteAddress;
        if (remote is not null && from.Equals(remote))
        {
            if (!_latched)
            {
                _latchedSsrc = ssrc;
                _latched = true;
            }

            return true;
        }

        if (_latched && ssrc != _latchedSsrc)
        {
            return false;
        }

        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        _latchedSsrc = ssrc;
        _remote = (IPEndPoint)_addressTemplate.Create(copy);
        _remoteAddress = copy;
        _latched = true;
        return true;
    }

    private sealed class Playback(IMediaSource source, TaskCompletionSource? completion)
    {
        public IMediaSource Source { get; } = source;

        public TaskCompletionSource? Completion { get; } = completion;

        public RtpEndpoint? Owner { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Finish(Exception? exception)
        {
            Registration.Unregister();
            if (exception is null)
            {
                Completion?.TrySetResult();
            }
            else
            {
                Completion?.TrySetException(exception);
            }
        }
    }
}
