namespace CallCenter.Sip.Media;

/// <summary>Sine and dual-tone (DTMF) generators producing 16-bit PCM at 8 kHz by default.</summary>
public static class ToneGenerator
{
    public const int DefaultSampleRate = 8000;

    /// <summary>The low (row) and high (column) frequencies of each DTMF key (ITU-T Q.23).</summary>
    public static (double Low, double High) DtmfFrequencies(char digit) => char.ToUpperInvariant(digit) switch
    {
        '1' => (697, 1209),
        '2' => (697, 1336),
        '3' => (697, 1477),
        'A' => (697, 1633),
        '4' => (770, 1209),
        '5' => (770, 1336),
        '6' => (770, 1477),
        'B' => (770, 1633),
        '7' => (852, 1209),
        '8' => (852, 1336),
        '9' => (852, 1477),
        'C' => (852, 1633),
        '*' => (941, 1209),
        '0' => (941, 1336),
        '#' => (941, 1477),
        'D' => (941, 1633),
        _ => throw new ArgumentException($"'{digit}' is not a DTMF digit", nameof(digit)),
    };

    /// <summary>A sine of <paramref name="frequency"/> Hz with peak <paramref name="amplitude"/> (0-32767).</summary>
    public static short[] Sine(double frequency, int sampleCount, double amplitude = 8000, int sampleRate = DefaultSampleRate, double phase = 0)
    {
        ValidateAmplitude(amplitude);
        var samples = new short[sampleCount];
        for (int n = 0; n < sampleCount; n++)
        {
            samples[n] = (short)Math.Round(amplitude * Math.Sin((2 * Math.PI * frequency * n / sampleRate) + phase));
        }

        return samples;
    }

    /// <summary>The sum of two sines, each with peak <paramref name="amplitude"/> (so the peak of the sum is at most twice that).</summary>
    public static short[] DualTone(double low, double high, int sampleCount, double amplitude = 6000, int sampleRate = DefaultSampleRate)
    {
        ValidateAmplitude(2 * amplitude);
        var samples = new short[sampleCount];
        for (int n = 0; n < sampleCount; n++)
        {
            double t = (double)n / sampleRate;
            samples[n] = (short)Math.Round(amplitude * (Math.Sin(2 * Math.PI * low * t) + Math.Sin(2 * Math.PI * high * t)));
        }

        return samples;
    }

    public static short[] Dtmf(char digit, int sampleCount, double amplitude = 6000, int sampleRate = DefaultSampleRate)
    {
        (double low, double high) = DtmfFrequencies(digit);
        return DualTone(low, high, sampleCount, amplitude, sampleRate);
    }

    private static void ValidateAmplitude(double amplitude)
    {
        if (amplitude is < 0 or > short.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "peak must fit in 16 bits");
        }
    }
}

/// <summary>
/// The Goertzel algorithm: the power of one frequency in a block of PCM samples. The frequency does not
/// have to sit on a DFT bin. <see cref="RelativePower"/> normalises by the block's energy so that a pure
/// sine at the frequency gives about 1, and each tone of an equal-level dual tone about 0.5.
/// </summary>
public static class Goertzel
{
    /// <summary>|X(f)|² over the block (the squared magnitude of the DTFT at <paramref name="frequency"/>).</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency, int sampleRate = ToneGenerator.DefaultSampleRate)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0;
        double previous2 = 0;
        foreach (short sample in samples)
        {
            double current = sample + (coefficient * previous) - previous2;
            previous2 = previous;
            previous = current;
        }

        return (previous * previous) + (previous2 * previous2) - (coefficient * previous * previous2);
    }

    /// <summary>The share of the block's energy at <paramref name="frequency"/>: 2|X(f)|² / (N Σx²); 0 for silence.</summary>
    public static double RelativePower(ReadOnlySpan<short> samples, double frequency, int sampleRate = ToneGenerator.DefaultSampleRate)
    {
        double energy = Energy(samples);
        return energy <= 0 ? 0 : 2 * Power(samples, frequency, sampleRate) / (samples.Length * energy);
    }

    /// <summary>
    /// True when <paramref name="frequency"/> holds at least <paramref name="minimumRelativePower"/> of the block's
    /// energy and the block is louder than <paramref name="minimumRms"/> (about -50 dBm0 by default).
    /// </summary>
    public static bool IsPresent(ReadOnlySpan<short> samples, double frequency, double minimumRelativePower = 0.5,
        double minimumRms = 30, int sampleRate = ToneGenerator.DefaultSampleRate)
    {
        if (samples.Length == 0 || Math.Sqrt(Energy(samples) / samples.Length) < minimumRms)
        {
            return false;
        }

        return RelativePower(samples, frequency, sampleRate) >= minimumRelativePower;
    }

    public static double Energy(ReadOnlySpan<short> samples)
    {
        double energy = 0;
        foreach (short sample in samples)
        {
            energy += (double)sample * sample;
        }

        return energy;
    }
}

/// <summary>
/// DTMF detection by Goertzel on the eight DTMF frequencies. <see cref="DetectFrame"/> classifies one block
/// (205 samples at 8 kHz is the classic size; at least about 100 are needed to separate the rows);
/// <see cref="Process"/> runs over a stream of blocks and reports each key press once.
/// </summary>
public sealed class DtmfToneDetector
{
    public static IReadOnlyList<double> RowFrequencies { get; } = [697, 770, 852, 941];
    public static IReadOnlyList<double> ColumnFrequencies { get; } = [1209, 1336, 1477, 1633];
    private const string Keys = "123A456B789C*0#D";

    private readonly int _sampleRate;
    private char? _current;
    private int _currentFrames;
    private bool _reported;

    public DtmfToneDetector(int sampleRate = ToneGenerator.DefaultSampleRate)
    {
        _sampleRate = sampleRate;
    }

    /// <summary>Minimum share of the block's energy each of the two tones must hold (an ideal dual tone gives 0.5 each).</summary>
    public double MinimumTonePower { get; init; } = 0.3;

    /// <summary>Minimum RMS of the block, below which it counts as silence.</summary>
    public double MinimumRms { get; init; } = 100;

    /// <summary>Consecutive frames with the same key before it is reported (debounce).</summary>
    public int FramesToConfirm { get; init; } = 2;

    /// <summary>The key whose two tones dominate this block, or null.</summary>
    public char? DetectFrame(ReadOnlySpan<short> samples)
    {
        if (samples.Length == 0 || Math.Sqrt(Goertzel.Energy(samples) / samples.Length) < MinimumRms)
        {
            return null;
        }

        (int row, double rowPower, double rowSecond) = Strongest(samples, RowFrequencies);
        (int column, double columnPower, double columnSecond) = Strongest(samples, ColumnFrequencies);
        if (rowPower < MinimumTonePower || columnPower < MinimumTonePower)
        {
            return null;
        }

        // The other frequencies of each group must be well below the winner (rejects speech and chords).
        if (rowSecond > rowPower / 4 || columnSecond > columnPower / 4)
        {
            return null;
        }

        return Keys[(row * 4) + column];
    }

    /// <summary>
    /// Feeds one block and returns the key when a press is confirmed (reported once, however long the
    /// tone lasts). A new press of the same key needs at least one block without it in between.
    /// </summary>
    public char? Process(ReadOnlySpan<short> samples)
    {
        char? key = DetectFrame(samples);
        if (key is null)
        {
            _current = null;
            _currentFrames = 0;
            _reported = false;
            return null;
        }

        if (key != _current)
        {
            _current = key;
            _currentFrames = 0;
            _reported = false;
        }

        _currentFrames++;
        if (!_reported && _currentFrames >= FramesToConfirm)
        {
            _reported = true;
            return key;
        }

        return null;
    }

    /// <summary>Splits <paramref name="samples"/> into blocks of <paramref name="blockSize"/> and returns the confirmed keys.</summary>
    public string DetectDigits(ReadOnlySpan<short> samples, int blockSize = 205)
    {
        var digits = new System.Text.StringBuilder();
        for (int offset = 0; offset + blockSize <= samples.Length; offset += blockSize)
        {
            if (Process(samples.Slice(offset, blockSize)) is char key)
            {
                digits.Append(key);
            }
        }

        return digits.ToString();
    }

    private (int Index, double Power, double Second) Strongest(ReadOnlySpan<short> samples, IReadOnlyList<double> frequencies)
    {
        int best = 0;
        double bestPower = -1;
        double second = 0;
        for (int i = 0; i < frequencies.Count; i++)
        {
            double power = Goertzel.RelativePower(samples, frequencies[i], _sampleRate);
            if (power > bestPower)
            {
                second = Math.Max(second, bestPower);
                bestPower = power;
                best = i;
            }
            else
            {
                second = Math.Max(second, power);
            }
        }

        return (best, bestPower, second);
    }
}
