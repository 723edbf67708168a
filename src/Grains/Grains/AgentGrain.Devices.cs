using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>The agent's devices and watchers: the desktop's event stream (connect, drop, renewal), the registered phone, supervisor messages, observers kept across a migration home.</summary>
internal sealed partial class AgentGrain
{
    public async Task<DesktopConnection> DesktopConnectedAsync(string sessionId)
    {
        _desktopSeenAt = Now;
        var resumed = S.DesktopSessionId == sessionId && (S.DesktopGraceUntil is null || Now <= S.DesktopGraceUntil);
        S.DesktopSessionId = sessionId;
        S.DesktopGraceUntil = null;
        S.DesktopConnection++;
        await WriteAsync();
        ScheduleDueWork();
        return new DesktopConnection(sessionId, S.DesktopConnection, resumed);
    }

    public async Task DesktopDisconnectedAsync(DesktopConnection connection, TimeSpan grace)
    {
        if (S.DesktopSessionId != connection.SessionId || S.DesktopConnection != connection.Number || S.DesktopGraceUntil is not null)
        {
            // A newer stream (or session) took over, or the drop is already known.
            return;
        }

        S.DesktopGraceUntil = Now + grace;
        await WriteAsync();
        ScheduleDueWork();
    }

    public Task DesktopAliveAsync(DesktopConnection connection)
    {
        if (S.DesktopSessionId == connection.SessionId && S.DesktopConnection == connection.Number)
        {
            _desktopSeenAt = Now;
        }

        return Task.CompletedTask;
    }

    public async Task SetPhoneAsync(string? contactUri, DateTimeOffset until)
    {
        if (S.PhoneContact == contactUri && S.PhoneRegisteredUntil == until)
        {
            return;
        }

        S.PhoneContact = contactUri;
        S.PhoneRegisteredUntil = contactUri is null ? default : until;
        await WriteAsync();
        if (S.Presence.State == PresenceState.Available)
        {
            // Queues route edge calls only to agents with a phone: tell them what changed.
            AnnounceAvailability();
        }

        MoveHomeIfAway();
    }

    public Task SendMessageAsync(string from, string text)
    {
        _observers.Notify(observer => observer.OnSupervisorMessage(from, text));
        return Task.CompletedTask;
    }

    public Task SubscribeAsync(IAgentObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IAgentObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <summary>
    /// An agent activated while its site had no silo (the cluster starting, the site lost) runs on another site's silo;
    /// once its site has a silo again it migrates there with its observers (placement picks the silo). Not while an
    /// offer is pending: a reservation lives only in this activation.
    /// </summary>
    private void MoveHomeIfAway()
    {
        if (S.Configuration?.Definition.SiteId is { } site && S.Offer is null && S.Presence.State != PresenceState.Reserved
            && !sites.IsLocal(site) && sites.HasActiveSiloOf(site))
        {
            LogMovingHome(AgentId, site);
            this.MigrateOnIdle();
        }
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext)
    {
        // Desktops and probes stay subscribed across the move; their renewals keep working against the new activation.
        dehydrationContext.TryAddValue(ObserversKey, _observers.Observers.Keys.ToList());
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue<List<IAgentObserver>>(ObserversKey, out var observers) && observers is not null)
        {
            foreach (var observer in observers)
            {
                _observers.Subscribe(observer, observer);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} runs away from site {SiteId}, which has a silo again: migrating there")]
    private partial void LogMovingHome(string agentId, string siteId);
}
