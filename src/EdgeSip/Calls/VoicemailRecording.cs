using CallCenter.EdgeSip.Media;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// A caller's message while the lines are closed: the caller's audio to <c>&lt;RecordingDirectory&gt;/voicemail-&lt;callId&gt;.wav</c>
/// (the caller in the left channel) until a key, the time limit or the caller's hang-up; the file's name is attached
/// to the call under <see cref="AttachedDataKey"/> and the call ends "voicemail".
/// </summary>
internal sealed class VoicemailRecording(EdgeServices edge, ICallGrain grain, string callId, CallerLeg caller, CallerPrompts prompts)
{
    public const string AttachedDataKey = "voicemail";
    public const string EndedReason = "voicemail";

    /// <summary>Whether the edge can record at all (a recording folder is configured).</summary>
    public bool Available => !string.IsNullOrWhiteSpace(edge.Options.RecordingDirectory) && caller.Media is not null;

    public async Task RecordAsync(TimeSpan longest)
    {
        var directory = edge.Options.RecordingDirectory!;
        Directory.CreateDirectory(directory);
        var fileName = $"voicemail-{callId}.wav";
        var recorder = new CallRecorder(Path.Combine(directory, fileName), edge.MediaClock);
        var media = caller.Media!;
        void OnAudio(AudioFrame frame) => recorder.Write(CallRecorder.CallerChannel, frame.Samples.Span);
        media.AudioReceived += OnAudio;
        try
        {
            // Any key ends the message; so does the limit or the caller hanging up (which unwinds from here).
            await prompts.CollectDigitsAsync([], 1, digitWait: longest);
        }
        finally
        {
            media.AudioReceived -= OnAudio;
            await recorder.StopAsync();
            await edge.Retry.RunAsync("attach voicemail", callId, () => grain.AttachDataAsync(new Dictionary<string, string> { [AttachedDataKey] = fileName }));
            await edge.Retry.HangUpAsync(grain, callId, CallParty.System, EndedReason);
        }
    }
}
