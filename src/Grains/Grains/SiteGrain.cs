using CallCenter.Domain;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Telemetry;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Grains.Grains;

/// <summary>
/// A site's agents by presence state and their occupancy over the last 15 minutes. Soft state, rebuilt from the agents'
/// notices: it is a view, and losing it loses no call.
/// </summary>
[GrainType("site")]
internal sealed class SiteGrain(
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    CallCenterMetrics metrics) : Grain, ISiteGrain, ISitePresence
{
    private readonly Dictionary<string, AgentReading> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (double Handling, double Available)> _minutes = [];

    public Task AgentPresenceChangedAsync(string agentId, long presenceVersion, PresenceState state, double handlingSeconds, double availableSeconds)
    {
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_agents.TryGetValue(agentId, out var previous))
        {
            if (presenceVersion < previous.PresenceVersion)
            {
                // An older notice overtaken by a newer one: the newer one already counted its time.
                return Task.CompletedTask;
            }

            // Counters restart at login: a drop means a new session, whose whole count is new time.
            var handled = handlingSeconds >= previous.HandlingSeconds ? handlingSeconds - previous.HandlingSeconds : handlingSeconds;
            var available = availableSeconds >= previous.AvailableSeconds ? availableSeconds - previous.AvailableSeconds : availableSeconds;
            var bucket = _minutes.GetValueOrDefault(minute);
            _minutes[minute] = (bucket.Handling + handled, bucket.Available + available);
        }

        _agents[agentId] = new AgentReading(presenceVersion, state, handlingSeconds, availableSeconds);
        metrics.ReportAgentStates(this.GetPrimaryKeyString(), CountByState());
        foreach (var stale in _minutes.Keys.Where(key => key <= minute - 15).ToList())
        {
            _minutes.Remove(stale);
        }

        return Task.CompletedTask;
    }

    public Task<SiteStatus> GetStatusAsync()
    {
        var handling = _minutes.Values.Sum(bucket => bucket.Handling);
        var available = _minutes.Values.Sum(bucket => bucket.Available);
        return Task.FromResult(new SiteStatus
        {
            SiteId = this.GetPrimaryKeyString(),
            AgentsByState = CountByState(),
            Occupancy = handling + available <= 0 ? null : handling / (handling + available),
            UpdatedAt = clock.GetUtcNow(),
        });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.ForgetSite(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    private Dictionary<PresenceState, int> CountByState() =>
        _agents.Values.GroupBy(agent => agent.State).ToDictionary(group => group.Key, group => group.Count());

    private sealed record AgentReading(long PresenceVersion, PresenceState State, double HandlingSeconds, double AvailableSeconds);
}
