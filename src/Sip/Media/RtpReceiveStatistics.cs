namespace CallCenter.Sip.Media;

/// <summary>
/// Reception statistics for one RTP source, as RFC 3550 appendix A computes them: sequence
/// validation with probation and wrap counting (A.1), expected/lost counts and the loss fraction
/// per report interval (A.3), and interarrival jitter (A.8). Arrival times come from a
/// <see cref="TimeProvider"/> or are given directly in RTP timestamp units.
/// </summary>
public sealed class RtpReceiveStatistics
{
    public const int MaxDropout = 3000;
    public const int MaxMisorder = 100;
    public const int MinSequential = 2;
    private const uint SequenceModulo = 1 << 16;

    private readonly TimeProvider _timeProvider;
    private readonly int _clockRate;
    private readonly long _startTimestamp;
    private ushort _maxSequence;
    private uint _cycles;
    private uint _baseSequence;
    private uint _badSequence;
    private int _probation;
    private uint _received;
    private uint _expectedPrior;
    private uint _receivedPrior;
    private bool _initialized;
    private bool _hasTransit;
    private int _transit;
    private uint _jitterScaled;
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;
    private bool _hasSenderReport;

    public RtpReceiveStatistics(int clockRate = 8000, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _startTimestamp = _timeProvider.GetTimestamp();
    }

    /// <summary>The SSRC being tracked, set by the first packet.</summary>
    public uint? Ssrc { get; private set; }

    /// <summary>Packets accepted as valid (after probation), duplicates included, as in A.1.</summary>
    public uint Received => _received;

    /// <summary>The highest sequence number seen, extended with the count of wraps (cycles &lt;&lt; 16 | max_seq).</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    /// <summary>Packets expected: extended highest minus the base sequence plus one.</summary>
    public uint Expected => _initialized && _probation == 0 ? ExtendedHighestSequence - _baseSequence + 1 : 0;

    /// <summary>Cumulative packets lost (expected minus received), clamped to the 24-bit signed range. Negative with duplicates.</summary>
    public int CumulativeLost => Math.Clamp((int)((long)Expected - _received), -0x800000, 0x7FFFFF);

    /// <summary>The interarrival jitter estimate in timestamp units, as reported in RTCP (A.8: J >> 4).</summary>
    public uint Jitter => _jitterScaled >> 4;

    /// <summary>Whether the source has passed probation (MinSequential packets in sequence).</summary>
    public bool IsValid => _initialized && _probation == 0;

    /// <summary>Records a packet arriving now (arrival time from the time provider).</summary>
    public bool Record(RtpPacket packet) => Record(packet.SequenceNumber, packet.Timestamp, NowInTimestampUnits(), packet.Ssrc);

    /// <summary>
    /// Records a packet with its arrival time in RTP timestamp units. Returns false when A.1 rejects
    /// the packet (still in probation, or a large jump that is not yet confirmed).
    /// </summary>
    public bool Record(ushort sequence, uint rtpTimestamp, uint arrival, uint ssrc = 0)
    {
        if (!_initialized)
        {
            Ssrc = ssrc;
            InitSequence(sequence);
            _maxSequence = (ushort)(sequence - 1);
            _probation = MinSequential;
            _initialized = true;
        }

        if (!UpdateSequence(sequence))
        {
            return false;
        }

        UpdateJitter(rtpTimestamp, arrival);
        return true;
    }

    /// <summary>Remembers an SR from this source, so the next report block carries LSR and DLSR.</summary>
    public void RecordSenderReport(ulong ntpTimestamp)
    {
        _lastSenderReport = NtpTimestamp.Middle32(ntpTimestamp);
        _lastSenderReportArrival = _timeProvider.GetTimestamp();
        _hasSenderReport = true;
    }

    /// <summary>
    /// Builds the report block for this source and starts a new report interval: the loss fraction
    /// covers the packets since the previous call (A.3).
    /// </summary>
    public RtcpReportBlock CreateReportBlock()
    {
        uint expected = Expected;
        uint expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        uint receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        long lostInterval = (long)expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)((lostInterval << 8) / expectedInterval);
        uint delay = 0;
        if (_hasSenderReport)
        {
            TimeSpan elapsed = _timeProvider.GetElapsedTime(_lastSenderReportArrival);
            delay = (uint)Math.Min(uint.MaxValue, elapsed.Ticks * 65536 / TimeSpan.TicksPerSecond);
        }

        return new RtcpReportBlock
        {
            Ssrc = Ssrc ?? 0,
            FractionLost = fraction,
            CumulativeLost = CumulativeLost,
            ExtendedHighestSequence = IsValid ? ExtendedHighestSequence : 0,
            Jitter = Jitter,
            LastSenderReport = _hasSenderReport ? _lastSenderReport : 0,
            DelaySinceLastSenderReport = delay,
        };
    }

    private void InitSequence(ushort sequence)
    {
        _baseSequence = sequence;
        _maxSequence = sequence;
        _badSequence = SequenceModulo + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }

    // RFC 3550 appendix A.1, update_seq.
    private bool UpdateSequence(ushort sequence)
    {
        ushort delta = (ushort)(sequence - _maxSequence);
        if (_probation > 0)
        {
            if (sequence == (ushort)(_maxSequence + 1))
            {
                _probation--;
                _maxSequence = sequence;
                if (_probation == 0)
                {
                    InitSequence(sequence);
                    _baseSequence = (uint)(ushort)(sequence - (MinSequential - 1));
                    _received = MinSequential;
                    return true;
                }
            }
            else
            {
                _probation = MinSequential - 1;
                _maxSequence = sequence;
            }

            return false;
        }

        if (delta < MaxDropout)
        {
            if (sequence < _maxSequence)
            {
                _cycles += SequenceModulo;
            }

            _maxSequence = sequence;
        }
        else if (delta <= SequenceModulo - MaxMisorder)
        {
            if (sequence == _badSequence)
            {
                // Two sequential packets after a big jump: the source restarted.
                InitSequence(sequence);
            }
            else
            {
                _badSequence = (uint)(ushort)(sequence + 1);
                return false;
            }
        }

        // Duplicate or reordered packet: counted, max unchanged.
        _received++;
        return true;
    }

    private void UpdateJitter(uint rtpTimestamp, uint arrival)
    {
        int transit = (int)(arrival - rtpTimestamp);
        if (_hasTransit)
        {
            int d = transit - _transit;
            if (d < 0)
            {
                d = -d;
            }

            // J += (|D| - J) / 16, kept scaled by 16 as in A.8.
            _jitterScaled = (uint)(_jitterScaled + d - ((_jitterScaled + 8) >> 4));
        }

        _transit = transit;
        _hasTransit = true;
    }

    private uint NowInTimestampUnits()
    {
        TimeSpan elapsed = _timeProvider.GetElapsedTime(_startTimestamp);
        return (uint)(elapsed.Ticks * _clockRate / TimeSpan.TicksPerSecond);
    }
}
