using System.Buffers.Binary;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// Records a bridged call to a WAV file: 16-bit PCM, 8 kHz, stereo, left = caller, right = agent. The
/// <see cref="MediaClock"/> drives the timeline: every 20 ms tick writes one frame per channel from what the bridge
/// delivered since, padded with silence, so gaps (lost packets, hold, silence suppression) stay silent and both voices
/// stay aligned; frames the clock skips when it falls far behind are written as silence too. Audio arriving faster than the clock queues up to <see cref="MaxBacklogFrames"/> frames per channel,
/// beyond which the oldest is dropped. While paused (<see cref="Pause"/>) silence is written and received audio is
/// discarded, so the file keeps its timing but never holds what was said meanwhile (card numbers).
/// <see cref="StopAsync"/> (or dispose) writes the final header. Recording starts at construction.
/// </summary>
public sealed class CallRecorder : IAsyncDisposable, IMediaClockListener
{
    public const int CallerChannel = 0;
    public const int AgentChannel = 1;
    public const int Channels = 2;
    public const int MaxBacklogFrames = 10;
    private const int Capacity = MaxBacklogFrames * MediaClock.SamplesPerFrame;

    private readonly Lock _lock = new();
    private readonly MediaClock _clock;
    private readonly FileStream _stream;
    private readonly short[][] _queues = [new short[Capacity], new short[Capacity]];
    private readonly int[] _heads = new int[Channels];
    private readonly int[] _counts = new int[Channels];
    private readonly byte[] _frameBytes = new byte[MediaClock.SamplesPerFrame * Channels * 2];
    private long _dataBytes;
    private long _lastTick = -1;
    private bool _paused;
    private bool _stopped;
    private Exception? _error;
    private Task? _stopTask;

    public CallRecorder(string path, MediaClock clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(clock);
        Path = System.IO.Path.GetFullPath(path);
        _clock = clock;
        _stream = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        Span<byte> header = stackalloc byte[Wav.Pcm16HeaderSize];
        Wav.WritePcm16Header(header, 0, MediaClock.SampleRate, Channels);
        _stream.Write(header);
        clock.Add(this);
    }

    public string Path { get; }

    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return _paused;
            }
        }
    }

    /// <summary>Length of the recording so far.</summary>
    public TimeSpan Duration
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromSeconds(_dataBytes / (2.0 * Channels * MediaClock.SampleRate));
            }
        }
    }

    /// <summary>From the next tick on, writes silence and drops received audio (including what was queued).</summary>
    public void Pause()
    {
        lock (_lock)
        {
            _paused = true;
            ClearLocked();
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
            ClearLocked();
        }
    }

    /// <summary>Stops recording, writes the final WAV header and closes the file. Rethrows a write error met while recording.</summary>
    public Task StopAsync()
    {
        lock (_lock)
        {
            if (_stopTask is null)
            {
                _stopped = true;
                _stopTask = FinishAsync();
            }

            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Queues received audio for <paramref name="channel"/>; called by the bridge on a receive loop.</summary>
    internal void Write(int channel, ReadOnlySpan<short> samples)
    {
        lock (_lock)
        {
            if (_paused || _stopped)
            {
                return;
            }

            short[] queue = _queues[channel];
            if (samples.Length > Capacity)
            {
                samples = samples[^Capacity..];
            }

            int overflow = _counts[channel] + samples.Length - Capacity;
            if (overflow > 0)
            {
                _heads[channel] = (_heads[channel] + overflow) % Capacity;
                _counts[channel] -= overflow;
            }

            int tail = (_heads[channel] + _counts[channel]) % Capacity;
            int first = Math.Min(samples.Length, Capacity - tail);
            samples[..first].CopyTo(queue.AsSpan(tail));
            samples[first..].CopyTo(queue);
            _counts[channel] += samples.Length;
        }
    }

    void IMediaClockListener.OnTick(long tick)
    {
        lock (_lock)
        {
            if (_stopped || _error is not null)
            {
                return;
            }

            Span<byte> frame = _frameBytes;
            frame.Clear();
            if (_lastTick >= 0 && tick > _lastTick + 1)
            {
                // The clock skipped frames (it fell too far behind): keep the timeline with silence.
                WriteLocked(frame, tick - _lastTick - 1);
            }

            _lastTick = tick;
            if (!_paused)
            {
                for (int channel = 0; channel < Channels; channel++)
                {
                    int count = Math.Min(_counts[channel], MediaClock.SamplesPerFrame);
                    short[] queue = _queues[channel];
                    int head = _heads[channel];
                    for (int i = 0; i < count; i++)
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(frame[(((i * Channels) + channel) * 2)..], queue[head]);
                        head = head + 1 == Capacity ? 0 : head + 1;
                    }

                    _heads[channel] = head;
                    _counts[channel] -= count;
                }
            }

            WriteLocked(frame, 1);
        }
    }

    private void WriteLocked(ReadOnlySpan<byte> frame, long count)
    {
        try
        {
            for (long i = 0; i < count && _error is null; i++)
            {
                _stream.Write(frame);
                _dataBytes += frame.Length;
            }
        }
        catch (IOException exception)
        {
            _error = exception;
        }
    }

    private void ClearLocked()
    {
        Array.Clear(_heads);
        Array.Clear(_counts);
    }

    private async Task FinishAsync()
    {
        _clock.Remove(this);
        long dataBytes;
        lock (_lock)
        {
            dataBytes = _dataBytes;
        }

        await using (_stream.ConfigureAwait(false))
        {
            if (_error is null)
            {
                byte[] header = new byte[Wav.Pcm16HeaderSize];
                Wav.WritePcm16Header(header, dataBytes, MediaClock.SampleRate, Channels);
                _stream.Seek(0, SeekOrigin.Begin);
                await _stream.WriteAsync(header).ConfigureAwait(false);
                await _stream.FlushAsync().ConfigureAwait(false);
            }
        }

        if (_error is not null)
        {
            throw new IOException($"recording {Path} failed: {_error.Message}", _error);
        }
    }
}
