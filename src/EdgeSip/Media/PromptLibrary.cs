using System.Collections.Concurrent;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Media;

/// <summary>
/// Prompt audio by name: <c>Get("welcome")</c> reads <c>&lt;directory&gt;/welcome.wav</c> (mono 16-bit PCM, A-law or μ-law
/// at any sample rate, as <see cref="Wav"/> reads them), converts it to 8 kHz PCM16 with <see cref="Resampler"/> and
/// caches the result; the same array is returned each time, so callers must not change it. Thread-safe.
/// A missing file throws <see cref="FileNotFoundException"/> and an unreadable one <see cref="InvalidDataException"/>,
/// both naming the path.
/// </summary>
public sealed class PromptLibrary
{
    private readonly ConcurrentDictionary<string, Lazy<short[]>> _cache = new(StringComparer.Ordinal);

    public PromptLibrary(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>The prompt's samples at 8 kHz. Names are file names without the .wav extension and without directories.</summary>
    public short[] Get(string name)
    {
        string path = PathOf(name);
        Lazy<short[]> entry = _cache.GetOrAdd(name, _ => new Lazy<short[]>(() => Load(name, path)));
        try
        {
            return entry.Value;
        }
        catch
        {
            // Do not cache failures: the file may be fixed or copied in later.
            _cache.TryRemove(new KeyValuePair<string, Lazy<short[]>>(name, entry));
            throw;
        }
    }

    /// <summary>Whether the prompt's file exists (it is not read or checked). False for names <see cref="Get"/> would refuse.</summary>
    public bool Contains(string name) => IsPlainName(name) && (_cache.ContainsKey(name) || File.Exists(Path.Combine(Directory, name + ".wav")));

    private static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name) && name is not ("." or "..") && name.IndexOfAny(['/', '\\']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    private string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!IsPlainName(name))
        {
            throw new ArgumentException($"prompt name '{name}' must be a plain file name without directories", nameof(name));
        }

        return Path.Combine(Directory, name + ".wav");
    }

    private static short[] Load(string name, string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"prompt '{name}' not found: {path} does not exist", path, exception);
        }

        WavAudio audio;
        try
        {
            audio = Wav.Read(file);
        }
        catch (WavFormatException exception)
        {
            throw new InvalidDataException($"prompt '{name}' ({path}) is not a usable WAV file: {exception.Message}", exception);
        }

        return Resampler.Resample(audio.Samples, audio.SampleRate, MediaClock.SampleRate);
    }
}

/// <summary>
/// Simple sample-rate conversion for prompts: linear interpolation, preceded when downsampling by a windowed-sinc
/// (Blackman) low-pass at 90% of the new Nyquist frequency so that content above it does not fold back as aliases.
/// Good enough for speech prompts; not a studio resampler.
/// </summary>
internal static class Resampler
{
    public static short[] Resample(short[] samples, int fromRate, int toRate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        if (fromRate == toRate || samples.Length == 0)
        {
            return samples;
        }

        // The filter is only evaluated at the input positions the interpolation reads.
        double[]? taps = toRate < fromRate ? LowPassTaps(0.9 * toRate / 2 / fromRate) : null;
        long outputLength = (long)samples.Length * toRate / fromRate;
        var output = new short[outputLength];
        double step = (double)fromRate / toRate;
        for (long n = 0; n < outputLength; n++)
        {
            double position = n * step;
            int index = (int)position;
            double fraction = position - index;
            double current = At(samples, index, taps);
            double next = index + 1 < samples.Length ? At(samples, index + 1, taps) : current;
            double value = current + ((next - current) * fraction);
            output[n] = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
        }

        return output;
    }

    private static double At(short[] samples, int index, double[]? taps)
    {
        if (taps is null)
        {
            return samples[index];
        }

        int half = taps.Length / 2;
        int from = Math.Max(-half, index - (samples.Length - 1));
        int to = Math.Min(half, index);
        double acc = 0;
        for (int k = from; k <= to; k++)
        {
            acc += taps[k + half] * samples[index - k];
        }

        return acc;
    }

    /// <summary>Normalised (unity DC gain) Blackman-windowed sinc taps with cut-off <paramref name="cutoff"/> in cycles per sample (0-0.5).</summary>
    private static double[] LowPassTaps(double cutoff)
    {
        // A Blackman window's transition band is about 5.5 / taps wide; aim for a quarter of the cut-off.
        int half = Math.Clamp((int)Math.Ceiling(5.5 / (cutoff / 4) / 2), 8, 256);
        var taps = new double[(2 * half) + 1];
        double sum = 0;
        for (int k = -half; k <= half; k++)
        {
            double sinc = k == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * k) / (Math.PI * k);
            double window = 0.42 + (0.5 * Math.Cos(Math.PI * k / half)) + (0.08 * Math.Cos(2 * Math.PI * k / half));
            taps[k + half] = sinc * window;
            sum += taps[k + half];
        }

        for (int i = 0; i < taps.Length; i++)
        {
            taps[i] /= sum;
        }

        return taps;
    }
}
