using CallCenter.EdgeSip.Ivr;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The IVR of the dialled number's entry point, played to one caller: opening hours (the closed prompt, then a hang-up
/// or a callback), the greeting, digits to collect, the menu.
/// </summary>
internal sealed class IvrSession(EdgeServices edge, ICallGrain grain, string callId, CallTrace trace, CallerPrompts prompts, VoicemailRecording voicemail)
{
    /// <summary>Runs the flow (none: straight to the entry point's queue); says where the caller goes, or that the call ended.</summary>
    public async Task<IvrRoute> RunAsync(IvrFlow? flow)
    {
        if (flow is null)
        {
            return IvrRoute.EntryPointQueue;
        }

        using var ivr = trace.StartStep(EdgeTelemetry.IvrSpanName);
        ivr?.SetTag("callcenter.ivr_flow", flow.Id);
        await edge.Retry.RunAsync("enter IVR", callId, () => grain.EnterIvrAsync());
        if (flow.Hours is { } hours && !BusinessHoursCalendar.IsOpen(hours, edge.Time.GetUtcNow()))
        {
            ivr?.SetTag("callcenter.ivr_closed", true);
            return await ClosedAsync(hours);
        }

        var menu = new IvrMenu(flow);
        if (flow.CollectDigits > 0)
        {
            var digits = await prompts.CollectDigitsAsync([flow.Greeting, flow.CollectPrompt], flow.CollectDigits);
            if (digits.Length > 0)
            {
                await edge.Retry.RunAsync("attach digits", callId, () => grain.AttachDataAsync(new Dictionary<string, string> { [flow.CollectInto] = digits }));
            }
        }

        if (!menu.HasChoices)
        {
            if (flow.CollectDigits == 0)
            {
                await prompts.PlayAsync([flow.Greeting]);
            }

            return new IvrRoute(menu.DefaultQueue);
        }

        var walk = new IvrMenuWalk(flow, greeted: flow.CollectDigits > 0);
        while (!walk.Done)
        {
            walk.Press(await prompts.CollectDigitsAsync(walk.Prompts, 1));
        }

        if (walk.ChosenKey is { } chosen)
        {
            await edge.Retry.RunAsync("attach choice", callId, () => grain.AttachDataAsync(new Dictionary<string, string> { ["ivr.choice"] = chosen }));
        }

        return new IvrRoute(walk.QueueId);
    }

    /// <summary>
    /// Closed: the closed prompt, then a callback kept in the entry point's queue (agents call back when they are
    /// there), a voicemail, or the end of the call. A callback that cannot be kept leaves the caller waiting in the
    /// queue; without a recording folder a voicemail is a plain hang-up.
    /// </summary>
    private async Task<IvrRoute> ClosedAsync(BusinessHours hours)
    {
        await prompts.PlayAsync([hours.ClosedPrompt]);
        if (hours.WhenClosed == ClosedAction.Voicemail && voicemail.Available)
        {
            await voicemail.RecordAsync(TimeSpan.FromSeconds(hours.VoicemailSeconds));
            return IvrRoute.CallEnded;
        }

        if (hours.WhenClosed == ClosedAction.Callback)
        {
            var enqueued = await edge.Retry.RunAsync("enqueue", callId, () => grain.EnqueueAsync());
            if (enqueued.Status is EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued)
            {
                if ((await grain.RequestCallbackAsync()).Succeeded)
                {
                    await prompts.PlayAsync(["callback-confirmed"]);
                    return IvrRoute.CallEnded;
                }

                return IvrRoute.EntryPointQueue;
            }
        }

        await edge.Retry.HangUpAsync(grain, callId, CallParty.System, "closed");
        return IvrRoute.CallEnded;
    }
}
