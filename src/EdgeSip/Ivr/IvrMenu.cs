using CallCenter.Model;

namespace CallCenter.EdgeSip.Ivr;

/// <summary>The choices of an IVR flow: which key goes to which queue, how many tries, and the fallback.</summary>
public sealed class IvrMenu(IvrFlow flow)
{
    public bool HasChoices => flow.Menu.Count > 0;

    public int Attempts => Math.Max(1, flow.MenuAttempts);

    /// <summary>The queue when no valid key was pressed: the flow's default, or null for the entry point's queue.</summary>
    public string? DefaultQueue => string.IsNullOrWhiteSpace(flow.DefaultQueueId) ? null : flow.DefaultQueueId;

    /// <summary>The queue of a pressed key, or null for no key or a key the menu does not have.</summary>
    public string? QueueFor(string key) => key.Length > 0 && flow.Menu.TryGetValue(key, out var queue) ? queue : null;
}
