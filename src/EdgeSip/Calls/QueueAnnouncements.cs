using System.Globalization;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The periodic announcement of the caller's place in the queue and expected wait, with the offer of a callback,
/// between stretches of music on hold.
/// </summary>
internal sealed partial class QueueAnnouncements(EdgeServices edge, ICallGrain grain, string callId, CallerLeg caller, CallerPrompts prompts, CallInbox inbox) : IDisposable
{
    private readonly ILogger _logger = edge.Logger;
    private ITimer? _timer;

    /// <summary>Announcements run while the caller waits; a transfer back to a queue starts them again.</summary>
    public void Start()
    {
        var every = TimeSpan.FromSeconds(Math.Max(5, edge.Options.AnnounceEverySeconds));
        _timer ??= edge.Time.CreateTimer(_ => inbox.Post(new AnnouncementDue()), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(every, every);
    }

    /// <summary>No more announcements (the caller is talking) until <see cref="Start"/>.</summary>
    public void Stop() => _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Tells the caller its place and expected wait; a key pressed meanwhile counts as pressed. Music on hold follows.</summary>
    public async Task AnnounceAsync()
    {
        QueuePlace? place;
        try
        {
            place = await grain.GetQueuePlaceAsync();
        }
        catch (Exception exception) when (GrainCallFaults.IsTransient(exception))
        {
            // A silo is being replaced: the caller keeps the music, and the next announcement tells the place.
            LogAnnouncementSkipped(exception, callId);
            return;
        }

        if (place is null)
        {
            return;
        }

        if (await prompts.PlayInterruptiblyAsync(PromptsFor(place)) is { } digit)
        {
            inbox.Post(new CallerDigit(digit));
        }

        caller.PlayMusicOnHold();
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// The announcement a caller hears when its queue gives up on it (overflow, or the queue is full): the queue's
    /// configured overflow announcement, else "all-busy".
    /// </summary>
    public static string? OverflowAnnouncementOf(QueueDefinition? queue) =>
        queue?.Overflow?.AnnouncementId is { Length: > 0 } announcement ? announcement : null;

    public const string AllBusyPrompt = "all-busy";

    /// <summary>Plays the overflow announcement of <paramref name="queueId"/> (as the edge's configuration has it), or all-busy when it has none or its file is missing.</summary>
    public Task PlayOverflowAsync(string? queueId)
    {
        var queue = queueId is null ? null : edge.Configuration?.FindQueue(queueId);
        return prompts.PlayAsync([prompts.FirstPresent(OverflowAnnouncementOf(queue), AllBusyPrompt)]);
    }

    /// <summary>The prompts that tell <paramref name="place"/>: position, expected wait in minutes (rounded up), the callback offer.</summary>
    public static IReadOnlyList<string> PromptsFor(QueuePlace place)
    {
        var prompts = new List<string> { "queue-position" };
        prompts.AddRange(SpokenNumber(place.Position));
        prompts.Add("in-queue");
        prompts.Add("expected-wait");
        var minutes = (int)Math.Ceiling(place.ExpectedWaitSeconds / 60);
        if (minutes < 1)
        {
            prompts.Add("less-than-a-minute");
        }
        else
        {
            prompts.AddRange(SpokenNumber(minutes));
            prompts.Add("minutes");
        }

        prompts.Add("callback-offer");
        return prompts;
    }

    /// <summary>Numbers up to 20 have a prompt of their own; larger ones are read digit by digit.</summary>
    private static IEnumerable<string> SpokenNumber(int value) =>
        value <= 20 ? [value.ToString(CultureInfo.InvariantCulture)] : value.ToString(CultureInfo.InvariantCulture).Select(c => c.ToString());

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId} skipped a queue announcement: the call grain did not answer")]
    private partial void LogAnnouncementSkipped(Exception exception, string callId);
}
