using CallCenter.EdgeSip.Media;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The caller's media bridged to a leg (the agent's or an external party's), the hold music in its place while the
/// call is held, and the recording of an agent's conversation.
/// </summary>
internal sealed class CallBridge(EdgeServices edge, string callId, CallerLeg caller, QueueAnnouncements announcements)
{
    private MediaBridge? _bridge;
    private CallRecorder? _recorder;

    public bool IsBridged => _bridge is not null;

    /// <summary>
    /// Bridges the caller to <paramref name="leg"/> (instead of any leg before), which ends the queue's announcements;
    /// a conversation with an agent is recorded when configured.
    /// </summary>
    public void Connect(AgentLeg leg)
    {
        announcements.Stop();
        _bridge?.Dispose();
        _bridge = new MediaBridge(caller.Media!, leg.Media);
        if (edge.Options.RecordingDirectory is { Length: > 0 } directory && leg.AgentId is not null)
        {
            Directory.CreateDirectory(directory);
            _recorder ??= new CallRecorder(Path.Combine(directory, callId + ".wav"), edge.MediaClock);
            _bridge.Attach(_recorder);
        }
    }

    /// <summary>Unbridges the caller; the recording goes on with the next bridge.</summary>
    public void Disconnect()
    {
        _bridge?.Dispose();
        _bridge = null;
    }

    public void ApplyHold(bool held)
    {
        if (_bridge is null)
        {
            return;
        }

        if (held)
        {
            _bridge.Hold(MediaSources.Loop(edge.Prompts.Get("music-on-hold")));
        }
        else
        {
            _bridge.Resume();
        }
    }

    public void ApplyRecordingPause(bool paused)
    {
        if (_recorder is null || _recorder.IsPaused == paused)
        {
            return;
        }

        if (paused)
        {
            _recorder.Pause();
        }
        else
        {
            _recorder.Resume();
        }
    }

    /// <summary>Unbridges the caller and ends the recording.</summary>
    public async Task StopAsync()
    {
        Disconnect();
        if (_recorder is { } recorder)
        {
            _recorder = null;
            await recorder.StopAsync();
        }
    }
}
