using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// Agents at auto-answering desks: each logs in, accepts every offer, talks a little, hangs up, and after a missed offer
/// makes itself available again (as a person clicks "ready").
/// <para>
/// Why desks that read their agent grain (<c>GetStatusAsync</c> every 100 ms) rather than <c>IAgentObserver</c>
/// subscriptions or the gRPC gateway: an observer lives in the agent grain's activation and is lost with it when its
/// silo is killed, and a gRPC desk's stream ends with the silo it is connected to; both then recover by re-reading the
/// agent's state (the gateway's <c>AgentEventPump</c> resubscribes, RemoteAgent reconnects elsewhere). Reading the state
/// directly is that recovery path taken on every turn, needs no knowledge of where grains or streams live, and keeps
/// what the test judges (the grains' invariants) apart from the desktop plumbing, which RemoteAgent's end-to-end tests
/// cover. The desks run in the test process as an Orleans client of the three silos.
/// </para>
/// </summary>
public sealed class SimulatedAgentDesks(IClusterClient client, LoadLedger ledger, IReadOnlyList<string> agentIds)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _desks = [];

    public IReadOnlyList<string> AgentIds => agentIds;

    public async Task StartAsync()
    {
        foreach (var agentId in agentIds)
        {
            var login = await client.GetGrain<IAgentGrain>(agentId).LoginAsync();
            if (!login.Succeeded)
            {
                throw new InvalidOperationException($"agent {agentId} could not log in: {login.Status} {login.Message}");
            }

            _desks.Add(RunDeskAsync(agentId, _stop.Token));
        }
    }

    /// <summary>Stops the desks (agents stay logged in; nobody accepts or hangs up any more).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_desks);
    }

    private async Task RunDeskAsync(string agentId, CancellationToken stop)
    {
        var agent = client.GetGrain<IAgentGrain>(agentId);
        var talkingUntil = new Dictionary<string, DateTime>();
        var acceptedOffers = new HashSet<(string CallId, long Epoch)>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var status = await agent.GetStatusAsync();
                if (status.Calls.Count(call => call.Channel == Channel.Voice) > 1)
                {
                    ledger.Violation($"agent {agentId} holds {status.Calls.Count} voice calls: {string.Join(", ", status.Calls.Select(call => call.CallId))}");
                }

                if (status.Offer is { } offer && acceptedOffers.Add((offer.CallId, offer.Epoch)))
                {
                    ledger.OfferSeen(offer.CallId);
                    var accepted = await client.GetGrain<ICallGrain>(offer.CallId).AcceptAsync(agentId, offer.Epoch);
                    if (accepted.Status == CommandStatus.Ok)
                    {
                        ledger.Accepted(offer.CallId, agentId);
                    }
                }

                // The desk remembers every call it held until its hang-up is confirmed, as a person does: a hang-up the
                // cluster failed is pressed again even if the agent's state no longer lists the call.
                foreach (var held in status.Calls.Where(held => !talkingUntil.ContainsKey(held.CallId)))
                {
                    // Talk 1 to 3 s from when the desk first sees the call, then hang up.
                    talkingUntil[held.CallId] = DateTime.UtcNow.AddSeconds(1 + (2 * Random.Shared.NextDouble()));
                }

                foreach (var callId in talkingUntil.Where(talk => DateTime.UtcNow >= talk.Value).Select(talk => talk.Key).ToList())
                {
                    var call = client.GetGrain<ICallGrain>(callId);
                    var snapshot = await call.GetAsync();
                    // As the gateway's access policy does: an agent hangs up only a call that is with it. A call its agent
                    // still lists but that went elsewhere (an accept lost with a silo) is the grains' to settle.
                    if (snapshot.AgentId == agentId && snapshot.State != CallState.Ended)
                    {
                        var hungUp = await call.HangUpAsync(CallParty.Agent);
                        if (!hungUp.Succeeded)
                        {
                            ledger.Violation($"agent {agentId} could not hang up call {callId}: {hungUp.Status} {hungUp.Message}");
                        }
                    }

                    talkingUntil.Remove(callId);
                }

                if (status.Presence is { State: PresenceState.NotReady, ReasonCode: ReasonCodes.MissedOffer or ReasonCodes.Disconnected })
                {
                    await agent.SetAvailableAsync();
                }
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                // A silo died under the request, or storage is away: the desk tries again on its next turn.
                ledger.RequestFailed(exception);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                // The desk's polling period (how a person would glance at the screen), not synchronisation.
                await Task.Delay(PollEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
