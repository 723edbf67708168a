using System.Collections.Concurrent;
using Channels = System.Threading.Channels;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Tests.Infrastructure;

/// <summary>Records an agent's events and lets a test await its next offer (an awaited signal, not a sleep).</summary>
public sealed class AgentProbe : IAgentObserver
{
    private readonly Channels.Channel<OfferLease> _offers = Channels.Channel.CreateUnbounded<OfferLease>();

    public AgentProbe(string agentId) => AgentId = agentId;

    public string AgentId { get; }

    public ConcurrentQueue<OfferLease> AllOffers { get; } = new();

    public ConcurrentQueue<(string CallId, long Epoch)> Withdrawn { get; } = new();

    public void OnOffer(OfferLease offer)
    {
        AllOffers.Enqueue(offer);
        _offers.Writer.TryWrite(offer);
    }

    public void OnOfferWithdrawn(string callId, long epoch) => Withdrawn.Enqueue((callId, epoch));

    public void OnPresenceChanged(AgentStatus status)
    {
    }

    public void OnSupervisorMessage(string from, string text)
    {
    }

    /// <summary>The next offer this agent receives; fails naming <paramref name="phase"/> if none comes.</summary>
    public async Task<OfferLease> NextOfferAsync(string phase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            return await _offers.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: agent '{AgentId}' was offered no call within 15 s");
        }
    }

    /// <summary>True if an offer is already waiting to be read.</summary>
    public bool TryTakeOffer(out OfferLease? offer) => _offers.Reader.TryRead(out offer);
}
