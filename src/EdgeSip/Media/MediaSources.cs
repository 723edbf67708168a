namespace CallCenter.EdgeSip.Media;

/// <summary>Audio to play on an <see cref="RtpEndpoint"/>, pulled one 20 ms frame at a time by the <see cref="MediaClock"/>.</summary>
public interface IMediaSource
{
    /// <summary>
    /// Fills one frame (<see cref="MediaClock.SamplesPerFrame"/> samples of 8 kHz PCM16; a shorter tail is padded with
    /// silence). Returns false, leaving the frame unspecified, when the source has ended.
    /// </summary>
    bool ReadFrame(Span<short> frame);
}

/// <summary>The stock sources: clips, sequences of clips, loops (music on hold), silence and test tones. Each one is single-use and not thread-safe.</summary>
public static class MediaSources
{
    /// <summary>Plays <paramref name="samples"/> once.</summary>
    public static IMediaSource Clip(short[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return new SequenceSource(new[] { samples }.AsEnumerable().GetEnumerator());
    }

    /// <summary>Plays the clips one after another without gaps, once. The sequence is enumerated lazily.</summary>
    public static IMediaSource Sequence(IEnumerable<short[]> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        return new SequenceSource(clips.GetEnumerator());
    }

    /// <summary>Repeats <paramref name="samples"/> forever (music on hold).</summary>
    public static IMediaSource Loop(short[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Length == 0)
        {
            throw new ArgumentException("cannot loop an empty clip", nameof(samples));
        }

        return new LoopSource(samples);
    }

    /// <summary><paramref name="duration"/> of silence, rounded up to whole frames.</summary>
    public static IMediaSource Silence(TimeSpan duration) => new SilenceSource(FramesIn(duration));

    /// <summary>Silence that never ends (what a held agent hears).</summary>
    internal static IMediaSource EndlessSilence() => new SilenceSource(long.MaxValue);

    /// <summary>A sine of <paramref name="hz"/> with peak <paramref name="amplitude"/> for <paramref name="duration"/>, rounded up to whole frames.</summary>
    public static IMediaSource Tone(double hz, TimeSpan duration, short amplitude = 8000)
    {
        if (hz is <= 0 or >= MediaClock.SampleRate / 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(hz), hz, "tone frequency must be between 0 and 4000 Hz");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(amplitude);
        return new ToneSource(hz, amplitude, FramesIn(duration));
    }

    private static long FramesIn(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return duration == TimeSpan.MaxValue ? long.MaxValue : (duration.Ticks + MediaClock.FrameDuration.Ticks - 1) / MediaClock.FrameDuration.Ticks;
    }

    private sealed class SequenceSource(IEnumerator<short[]> clips) : IMediaSource
    {
        private short[]? _current;
        private int _offset;
        private bool _ended;

        public bool ReadFrame(Span<short> frame)
        {
            int written = 0;
            while (written < frame.Length && !_ended)
            {
                if (_current is null || _offset == _current.Length)
                {
                    if (!clips.MoveNext())
                    {
                        _ended = true;
                        clips.Dispose();
                        break;
                    }

                    _current = clips.Current ?? throw new InvalidOperationException("a clip of the sequence is null");
                    _offset = 0;
                    continue;
                }

                int count = Math.Min(frame.Length - written, _current.Length - _offset);
                _current.AsSpan(_offset, count).CopyTo(frame[written..]);
                _offset += count;
                written += count;
            }

            if (written == 0)
            {
                return false;
            }

            frame[written..].Clear();
            return true;
        }
    }

    private sealed class LoopSource(short[] samples) : IMediaSource
    {
        private int _offset;

        public bool ReadFrame(Span<short> frame)
        {
            int written = 0;
            while (written < frame.Length)
            {
                int count = Math.Min(frame.Length - written, samples.Length - _offset);
                samples.AsSpan(_offset, count).CopyTo(frame[written..]);
                written += count;
                _offset = (_offset + count) % samples.Length;
            }

            return true;
        }
    }

    private sealed class SilenceSource(long frames) : IMediaSource
    {
        private long _remaining = frames;

        public bool ReadFrame(Span<short> frame)
        {
            if (_remaining <= 0)
            {
                return false;
            }

            _remaining--;
            frame.Clear();
            return true;
        }
    }

    /// <summary>A phase-continuous sine by rotation (two multiplies per sample, no Math.Sin in the loop), renormalised each frame.</summary>
    private sealed class ToneSource : IMediaSource
    {
        private readonly double _cos;
        private readonly double _sin;
        private readonly double _amplitude;
        private long _remaining;
        private double _re = 1;
        private double _im;

        public ToneSource(double hz, double amplitude, long frames)
        {
            double step = 2 * Math.PI * hz / MediaClock.SampleRate;
            _cos = Math.Cos(step);
            _sin = Math.Sin(step);
            _amplitude = amplitude;
            _remaining = frames;
        }

        public bool ReadFrame(Span<short> frame)
        {
            if (_remaining <= 0)
            {
                return false;
            }

            _remaining--;
            for (int i = 0; i < frame.Length; i++)
            {
                frame[i] = (short)Math.Round(_amplitude * _im);
                double re = (_re * _cos) - (_im * _sin);
                _im = (_re * _sin) + (_im * _cos);
                _re = re;
            }

            double norm = Math.Sqrt((_re * _re) + (_im * _im));
            _re /= norm;
            _im /= norm;
            return true;
        }
    }
}
