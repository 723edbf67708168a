using System.Net;
using System.Net.Sockets;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// The sending half of an <see cref="RtpEndpoint"/>: one RTP stream (its SSRC, sequence numbers and timeline) fed by
/// what plays locally, RFC 4733 digits, and packets relayed from a bridge's other leg. Each 20 ms
/// <see cref="MediaClock"/> tick sends one frame of what <see cref="Play"/> set, or the next packet of a queued digit
/// (audio pauses during a digit and 40 ms after it); nothing plays, nothing is sent (no comfort noise). Relayed
/// packets go out as they arrive, re-stamped, unless local media or a digit is playing: local media wins.
/// Thread-safe: the clock's tick and relays from the other leg's receive loop both send, under one lock.
/// </summary>
internal sealed class RtpSender
{
    private const int DtmfGapFrames = 2;

    private readonly Socket _socket;
    private readonly MediaClock _clock;
    private readonly RtpRemote _remote;
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(RtpEndpoint.MaxDatagram, pinned: true);
    private readonly short[] _frame = new short[MediaClock.SamplesPerFrame];
    private readonly Queue<(byte Event, int Duration)> _dtmfQueue = new();
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
    private volatile int _codec;
    private volatile bool _muted;
    private long _packetsSent;
    private long _sendErrors;

    public RtpSender(Socket socket, MediaClock clock, RtpRemote remote)
    {
        _socket = socket;
        _clock = clock;
        _remote = remote;
        Ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _sequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        _initialTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue + 1L);
        _eventSender = new TelephoneEventSender(RtpEndpoint.DefaultTelephoneEventPayloadType, Ssrc, 0);
    }

    private enum StreamMode
    {
        None,
        Local,
        Relay,
    }

    public uint Ssrc { get; }

    public AudioCodec Codec
    {
        get => (AudioCodec)_codec;
        set => _codec = (int)value;
    }

    public bool Muted
    {
        get => _muted;
        set => _muted = value;
    }

    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public bool IsPlaying
    {
        get
        {
            lock (_lock)
            {
                return _playback is not null;
            }
        }
    }

    public void SetTelephoneEventPayloadType(int payloadType)
    {
        lock (_lock)
        {
            _eventSender = new TelephoneEventSender(payloadType, Ssrc, 0);
        }
    }

    /// <summary>Replaces what is playing (a pending <see cref="PlayAsync"/> completes); null stops local playback.</summary>
    public void Play(IMediaSource? source) => Start(source is null ? null : new Playback(source, null));

    /// <summary>Plays <paramref name="source"/>; completes when it ends or another Play replaces it, and is cancelled (stopping playback) by <paramref name="cancellationToken"/>.</summary>
    public Task PlayAsync(IMediaSource source, CancellationToken cancellationToken)
    {
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

    /// <summary>Queues one RFC 4733 event of <paramref name="frames"/> frames; see <see cref="RtpEndpoint.SendDtmf"/>.</summary>
    public void QueueDtmf(byte eventCode, int frames)
    {
        lock (_lock)
        {
            _dtmfQueue.Enqueue((eventCode, frames * MediaClock.SamplesPerFrame));
        }
    }

    /// <summary>One tick of the media clock: the next digit packet, or the next frame of what plays.</summary>
    public void OnTick(long tick)
    {
        lock (_lock)
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
            RtpHeader.Write(_buffer, marker, (int)codec, _sequence++, timestamp, Ssrc);
            AudioCodecs.Encode(codec, _frame, _buffer.AsSpan(RtpHeader.Size, _frame.Length));
            SendLocked(RtpHeader.Size + _frame.Length, timestamp, tick);
        }
    }

    /// <summary>
    /// Sends a packet relayed from the other leg of a bridge: audio (transcoded to <see cref="Codec"/> if needed) or a
    /// telephone event (<paramref name="sourceCodec"/> null). Returns false when it was not sent (local media playing,
    /// muted, no remote).
    /// </summary>
    public bool SendRelayed(in RtpHeader header, ReadOnlySpan<byte> payload, AudioCodec? sourceCodec)
    {
        if (_muted || _remote.Address is null || payload.Length > RtpEndpoint.MaxDatagram - RtpHeader.Size)
        {
            return false;
        }

        lock (_lock)
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
                AudioCodecs.Transcode(from, to, payload, _buffer.AsSpan(RtpHeader.Size));
            }
            else
            {
                payloadType = _eventSender.PayloadType;
                payload.CopyTo(_buffer.AsSpan(RtpHeader.Size));
            }

            RtpHeader.Write(_buffer, marker, payloadType, _sequence++, timestamp, Ssrc);
            return SendLocked(RtpHeader.Size + payload.Length, timestamp, tick);
        }
    }

    private void Start(Playback? playback)
    {
        Playback? previous;
        lock (_lock)
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
        lock (_lock)
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
                int length = packet.WriteTo(_buffer);
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
        SocketAddress? remote = _remote.Address;
        if (remote is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(_buffer.AsSpan(0, length), SocketFlags.None, remote);
            Interlocked.Increment(ref _packetsSent);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
    }

    private sealed class Playback(IMediaSource source, TaskCompletionSource? completion)
    {
        public IMediaSource Source { get; } = source;

        public TaskCompletionSource? Completion { get; } = completion;

        public RtpSender? Owner { get; set; }

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
