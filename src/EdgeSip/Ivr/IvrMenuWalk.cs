using CallCenter.Model;

namespace CallCenter.EdgeSip.Ivr;

/// <summary>
/// One caller's way through a flow's menu: the prompts of each attempt (the greeting only the first time, "invalid"
/// after a wrong key), the key that chose a queue, or the default queue once the attempts are used up.
/// </summary>
public sealed class IvrMenuWalk
{
    private readonly IvrFlow _flow;
    private readonly IvrMenu _menu;
    private int _attempt = 1;

    /// <param name="greeted">Whether the caller already heard the greeting (with the digit collection).</param>
    public IvrMenuWalk(IvrFlow flow, bool greeted)
    {
        _flow = flow;
        _menu = new IvrMenu(flow);
        Prompts = greeted ? [flow.MenuPrompt] : [flow.Greeting, flow.MenuPrompt];
    }

    /// <summary>The prompts to play for the current attempt.</summary>
    public IReadOnlyList<string> Prompts { get; private set; }

    public bool Done { get; private set; }

    /// <summary>The key that chose the queue; null when the default was taken.</summary>
    public string? ChosenKey { get; private set; }

    /// <summary>The queue chosen once <see cref="Done"/>: a key's, else the flow's default (null: the entry point's queue).</summary>
    public string? QueueId { get; private set; }

    /// <summary>The caller pressed <paramref name="key"/> ("" when nothing was pressed in time).</summary>
    public void Press(string key)
    {
        if (Done)
        {
            return;
        }

        if (_menu.QueueFor(key) is { } queueId)
        {
            (Done, ChosenKey, QueueId) = (true, key, queueId);
            return;
        }

        if (++_attempt > _menu.Attempts)
        {
            (Done, QueueId) = (true, _menu.DefaultQueue);
            return;
        }

        Prompts = key.Length > 0 ? ["invalid", _flow.MenuPrompt] : [_flow.MenuPrompt];
    }
}
