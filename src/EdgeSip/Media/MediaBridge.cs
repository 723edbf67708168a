namespace CallCenter.EdgeSip.Media;

/// <summary>
/// Relays audio both ways between the caller leg and the agent leg as packets arrive (no jitter buffer): each packet
/// goes out on the other endpoint re-stamped with that stream's SSRC, sequence number and timestamp (the sender's
/// timestamp spacing is kept), transcoded when the legs' codecs differ. RFC 4733 packets are relayed as events in the
/// other leg's telephone-event payload type. Creating the bridge stops whatever either endpoint was playing; a source
/// played on an endpoint later takes precedence over the relay towards that endpoint until it ends. An endpoint is in
/// at most one bridge; disposing either endpoint disposes the bridge.
/// </summary>
public sealed class MediaBridge : IDisposable
{
    private readonly RtpEndpoint _caller;
    private readonly RtpEndpoint _agent;
    private volatile bool _held;
    private volatile CallRecorder? _recorder;
    private long _relayedPackets;
    private int _disposed;

    public MediaBridge(RtpEndpoint caller, RtpEndpoint agent)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(agent);
        if (caller == agent)
        {
            throw new ArgumentException("cannot bridge an endpoint to itself", nameof(agent));
        }

        _caller = caller;
        _agent = agent;
        caller.AttachBridge(this);
        try
        {
            agent.AttachBridge(this);
        }
        catch
        {
            caller.DetachBridge(this);
            throw;
        }

        caller.Play(null);
        agent.Play(null);
    }

    public RtpEndpoint Caller => _caller;

    public RtpEndpoint Agent => _agent;

    public bool IsHeld => _held;

    /// <summary>Packets (audio and events) sent on by either leg.</summary>
    public long RelayedPackets => Interlocked.Read(ref _relayedPackets);

    /// <summary>
    /// Puts the caller on hold: the caller hears <paramref name="musicOnHold"/>, the agent hears silence (silent
    /// packets keep the agent's stream alive), nothing is relayed either way, and a recorder records silence.
    /// </summary>
    public void Hold(IMediaSource musicOnHold)
    {
        ArgumentNullException.ThrowIfNull(musicOnHold);
        ThrowIfDisposed();
        _held = true;
        _caller.Play(musicOnHold);
        _agent.Play(MediaSources.EndlessSilence());
    }

    /// <summary>Takes the call off hold: the music and the silence stop and relaying resumes.</summary>
    public void Resume()
    {
        ThrowIfDisposed();
        _held = false;
        _caller.Play(null);
        _agent.Play(null);
    }

    /// <summary>Feeds both directions to <paramref name="recorder"/> (caller left, agent right), replacing any recorder attached before.</summary>
    public void Attach(CallRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ThrowIfDisposed();
        _recorder = recorder;
    }

    /// <summary>Stops feeding the recorder (which keeps writing silence on its timeline until stopped).</summary>
    public void DetachRecorder() => _recorder = null;

    /// <summary>Stops relaying. If the call is on hold, the music and silence stop too. The endpoints stay open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _recorder = null;
        _caller.DetachBridge(this);
        _agent.DetachBridge(this);
        if (_held)
        {
            _caller.Play(null);
            _agent.Play(null);
        }
    }

    /// <summary>An audio packet received on <paramref name="from"/>; called on its receive loop.</summary>
    internal void OnAudio(RtpEndpoint from, in RtpHeader header, AudioCodec codec, ReadOnlySpan<byte> payload)
    {
        if (_held || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        bool fromCaller = from == _caller;
        if (_recorder is { } recorder)
        {
            // Recorded before relaying, so whoever sees the relayed packet knows the recorder has it.
            recorder.Write(fromCaller ? CallRecorder.CallerChannel : CallRecorder.AgentChannel, from.DecodeReceived(codec, payload));
        }

        RtpEndpoint to = fromCaller ? _agent : _caller;
        if (to.SendRelayed(header, payload, codec))
        {
            Interlocked.Increment(ref _relayedPackets);
        }
    }

    /// <summary>A telephone-event packet received on <paramref name="from"/>; passed on as an event.</summary>
    internal void OnTelephoneEvent(RtpEndpoint from, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        if (_held || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        RtpEndpoint to = from == _caller ? _agent : _caller;
        if (to.SendRelayed(header, payload, null))
        {
            Interlocked.Increment(ref _relayedPackets);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
