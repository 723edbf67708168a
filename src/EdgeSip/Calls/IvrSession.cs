using CallCenter.EdgeSip.Ivr;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;

namespace CallCenter.EdgeSip.Calls;

/// <summary>The IVR of the dialled number, played to one caller: greeting, digits to collect, the menu.</summary>
internal sealed class IvrSession(EdgeServices edge, ICallGrain grain, CallTrace trace, CallerPrompts prompts)
{
    /// <summary>Runs the dialled number's IVR; returns the chosen queue (null: the entry point's).</summary>
    public async Task<string?> RunAsync(string dialledNumber)
    {
        if (!edge.Options.Numbers.TryGetValue(dialledNumber, out var flow))
        {
            return null;
        }

        using var ivr = trace.StartStep(EdgeTelemetry.IvrSpanName);
        await grain.EnterIvrAsync();
        var menu = new IvrMenu(flow);
        if (flow.CollectDigits > 0)
        {
            var digits = await prompts.CollectDigitsAsync([flow.Greeting, flow.CollectPrompt], flow.CollectDigits);
            if (digits.Length > 0)
            {
                await grain.AttachDataAsync(new Dictionary<string, string> { [flow.CollectInto] = digits });
            }
        }

        if (!menu.HasChoices)
        {
            if (flow.CollectDigits == 0)
            {
                await prompts.PlayAsync([flow.Greeting]);
            }

            return menu.DefaultQueue;
        }

        var menuPrompts = flow.CollectDigits > 0 ? new List<string> { flow.MenuPrompt } : [flow.Greeting, flow.MenuPrompt];
        for (var attempt = 1; attempt <= menu.Attempts; attempt++)
        {
            var key = await prompts.CollectDigitsAsync(menuPrompts, 1);
            if (menu.QueueFor(key) is { } queueId)
            {
                await grain.AttachDataAsync(new Dictionary<string, string> { ["ivr.choice"] = key });
                return queueId;
            }

            menuPrompts = key.Length > 0 ? ["invalid", flow.MenuPrompt] : [flow.MenuPrompt];
        }

        return menu.DefaultQueue;
    }
}
