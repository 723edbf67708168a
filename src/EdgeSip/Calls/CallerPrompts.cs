using System.Diagnostics;
using System.Text;
using CallCenter.EdgeSip.Media;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// Prompts played to the caller and digits collected from it, while the call's other events wait their turn in
/// the inbox (the caller leaving ends any of these).
/// </summary>
internal sealed class CallerPrompts(EdgeServices edge, CallerLeg caller, CallInbox inbox)
{
    /// <summary>The event on the call's current span naming the prompts played (those the library has), in order.</summary>
    public const string PlayedEventName = "callcenter.prompts";

    public const string PlayedTagName = "callcenter.prompts";

    /// <summary>Plays prompts to the caller to the end; events that come meanwhile wait their turn (the caller leaving ends it).</summary>
    public async Task PlayAsync(IReadOnlyList<string> prompts)
    {
        if (inbox.CallerGone || caller.Media is not { } media)
        {
            return;
        }

        var playing = media.PlayAsync(Sequence(prompts));
        var held = new List<CallEvent>();
        while (!playing.IsCompleted)
        {
            var read = inbox.WaitToReadAsync();
            await Task.WhenAny(playing, read);
            while (inbox.TryRead(out var callEvent))
            {
                if (callEvent is CallerLeft)
                {
                    var left = inbox.CallerLeftNow();
                    inbox.Requeue(held);
                    throw left;
                }

                if (callEvent is not AnnouncementDue)
                {
                    held.Add(callEvent);
                }
            }
        }

        inbox.Requeue(held);
    }

    /// <summary>Plays prompts until the end or a key; returns the key (other events wait their turn).</summary>
    public async Task<char?> PlayInterruptiblyAsync(IReadOnlyList<string> prompts)
    {
        var digits = await CollectDigitsAsync(prompts, 1, waitAfter: false);
        return digits.Length == 1 ? digits[0] : null;
    }

    /// <summary>
    /// Plays prompts and collects up to <paramref name="count"/> digits; a key stops the prompts (barge-in). After the
    /// prompts the caller has the digit time-out for each digit. Other events wait their turn.
    /// </summary>
    public async Task<string> CollectDigitsAsync(IReadOnlyList<string> prompts, int count, bool waitAfter = true, TimeSpan? digitWait = null)
    {
        var media = caller.Media!;
        var collected = new StringBuilder();
        var held = new List<CallEvent>();
        var playing = media.PlayAsync(Sequence(prompts));
        var digitTime = digitWait ?? TimeSpan.FromSeconds(edge.Options.DigitTimeoutSeconds);
        DateTimeOffset? deadline = null;
        try
        {
            while (collected.Length < count)
            {
                CancellationTokenSource? timeout = null;
                if (playing.IsCompleted)
                {
                    if (!waitAfter)
                    {
                        break;
                    }

                    // Each digit has its own time-out from the end of the prompts or the previous digit; other events do not extend it.
                    deadline ??= edge.Time.GetUtcNow() + digitTime;
                    var left = deadline.Value - edge.Time.GetUtcNow();
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    timeout = new CancellationTokenSource(left, edge.Time);
                }

                using (timeout)
                {
                    var read = inbox.WaitToReadAsync(timeout?.Token ?? CancellationToken.None);
                    await Task.WhenAny(playing, read);
                    if (playing.IsCompleted && !read.IsCompleted && timeout is null)
                    {
                        continue;
                    }

                    await Task.WhenAny(read);
                    if (read.IsCanceled)
                    {
                        break;
                    }
                }

                while (collected.Length < count && inbox.TryRead(out var callEvent))
                {
                    switch (callEvent)
                    {
                        case CallerLeft:
                            throw inbox.CallerLeftNow();
                        case CallerDigit { Digit: var digit }:
                            collected.Append(digit);
                            deadline = null;
                            media.Play(null);
                            break;
                        case AnnouncementDue:
                            // Periodic: one missed while the caller is busy with prompts is simply skipped.
                            break;
                        default:
                            held.Add(callEvent);
                            break;
                    }
                }
            }
        }
        finally
        {
            inbox.Requeue(held);
        }

        return collected.ToString();
    }

    private IMediaSource Sequence(IReadOnlyList<string> prompts)
    {
        var present = prompts.Where(edge.Prompts.Contains).ToList();
        Activity.Current?.AddEvent(new ActivityEvent(PlayedEventName, tags: new ActivityTagsCollection { [PlayedTagName] = string.Join(',', present) }));
        return MediaSources.Sequence(present.Select(edge.Prompts.Get));
    }

    /// <summary>The first of <paramref name="prompts"/> the library has (a configured one, then the built-in fallback).</summary>
    public string FirstPresent(params string?[] prompts) => prompts.FirstOrDefault(name => name is not null && edge.Prompts.Contains(name)) ?? prompts[^1] ?? "";
}
