using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Simulation;

/// <summary>
/// An agent's desk run by a program: it accepts offers after a short think, talks for a while, then hangs up.
/// The demo traffic and the benchmarks use it; real agents use the RemoteAgent desktop.
/// </summary>
public sealed class SimulatedAgentDesk(IGrainFactory grains, string agentId, Func<TimeSpan> acceptDelay, Func<OfferLease, TimeSpan> talkTime) : IAgentObserver
{
    public string AgentId { get; } = agentId;

    /// <summary>Called with the offer's lease, the moment the offer reached the desk (for latency figures).</summary>
    public Action<OfferLease>? OfferSeen { get; init; }

    /// <summary>Called when an accept is refused (the offer expired or was withdrawn meanwhile).</summary>
    public Action<string, CommandResult>? AcceptRefused { get; init; }

    /// <summary>Called with the call id once the desk hung the call up.</summary>
    public Action<string>? Finished { get; init; }

    public void OnOffer(OfferLease offer)
    {
        OfferSeen?.Invoke(offer);
        _ = HandleAsync(offer);
    }

    public void OnOfferWithdrawn(string callId, long epoch)
    {
    }

    public void OnPresenceChanged(AgentStatus status)
    {
    }

    public void OnSupervisorMessage(string from, string text)
    {
    }

    private async Task HandleAsync(OfferLease offer)
    {
        try
        {
            await DelayAsync(acceptDelay());
            var call = grains.GetGrain<ICallGrain>(offer.CallId);
            var accepted = await call.AcceptAsync(AgentId, offer.Epoch);
            if (accepted.Status != CommandStatus.Ok)
            {
                AcceptRefused?.Invoke(offer.CallId, accepted);
                return;
            }

            await DelayAsync(talkTime(offer));
            await call.HangUpAsync(CallParty.Agent);
            Finished?.Invoke(offer.CallId);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException or OperationCanceledException)
        {
            // A simulated desk is best effort: a lost command shows up as a missed offer or an abandoned call, as it would for a person.
        }
    }

    private static Task DelayAsync(TimeSpan delay) => delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay);
}
