using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>Whether recorded audio holds a tone: Goertzel over 20 ms blocks (<see cref="Goertzel"/>).</summary>
public static class ToneCheck
{
    private const int BlockSize = 160;

    /// <summary>How long <paramref name="frequency"/> dominates the audio: the total of the 20 ms blocks holding at least half their energy at it.</summary>
    public static TimeSpan Duration(WavAudio audio, double frequency)
    {
        var blocks = 0;
        for (var offset = 0; offset + BlockSize <= audio.Samples.Length; offset += BlockSize)
        {
            if (Goertzel.IsPresent(audio.Samples.AsSpan(offset, BlockSize), frequency, minimumRelativePower: 0.5, minimumRms: 100, audio.SampleRate))
            {
                blocks++;
            }
        }

        return TimeSpan.FromSeconds((double)blocks * BlockSize / audio.SampleRate);
    }

    public static TimeSpan Duration(string wavPath, double frequency) => Duration(Wav.ReadFile(wavPath), frequency);
}
