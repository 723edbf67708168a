using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>Receives an agent's events (offers, state changes): the desktop's or a simulator's callback.</summary>
[Alias("callcenter.agent.observer")]
public interface IAgentObserver : IGrainObserver
{
    [Alias("callcenter.agent.observer.on-offer")]
    void OnOffer(OfferLease offer);

    [Alias("callcenter.agent.observer.on-offer-withdrawn")]
    void OnOfferWithdrawn(string callId, long epoch);

    [Alias("callcenter.agent.observer.on-presence-changed")]
    void OnPresenceChanged(AgentStatus status);

    /// <summary>A supervisor wrote to the agent.</summary>
    [Alias("callcenter.agent.observer.on-supervisor-message")]
    void OnSupervisorMessage(string from, string text);
}

/// <summary>One agent: profile, presence state machine, offer reservation and counters. Awaits nobody but its observers (one-way).</summary>
[Alias("callcenter.agent")]
public interface IAgentGrain : IGrainWithStringKey
{
    [Alias("callcenter.agent.configure")]
    Task ConfigureAsync(AgentConfiguration configuration);

    [Alias("callcenter.agent.remove")]
    Task RemoveAsync();

    /// <summary>Logs the agent in: Available, or NotReady with <paramref name="notReadyReason"/> (a desktop logs in NotReady until its event stream is open).</summary>
    [Alias("callcenter.agent.login")]
    Task<CommandResult> LoginAsync(string? notReadyReason = null);

    [Alias("callcenter.agent.logout")]
    Task<CommandResult> LogoutAsync();

    [Alias("callcenter.agent.set-available")]
    Task<CommandResult> SetAvailableAsync();

    [Alias("callcenter.agent.set-not-ready")]
    Task<CommandResult> SetNotReadyAsync(string reasonCode);

    [Alias("callcenter.agent.complete-wrap-up")]
    Task<CommandResult> CompleteWrapUpAsync();

    [Alias("callcenter.agent.get-status")]
    Task<AgentStatus> GetStatusAsync();

    /// <summary>The SIP edge registered the agent's phone at <paramref name="contactUri"/> until <paramref name="until"/>; null unregisters it.</summary>
    [Alias("callcenter.agent.set-phone")]
    Task SetPhoneAsync(string? contactUri, DateTimeOffset until);

    /// <summary>The agent's desktop opened an event stream for <paramref name="sessionId"/>; says whether it resumes that session within its grace period.</summary>
    [Alias("callcenter.agent.desktop-connected")]
    Task<DesktopConnection> DesktopConnectedAsync(string sessionId);

    /// <summary>
    /// The desktop's stream <paramref name="connection"/> dropped (a newer stream of the session makes it moot). Unless it reconnects within <paramref name="grace"/>,
    /// the agent becomes NotReady("disconnected") and any pending offer returns to its queue; a call in progress is kept
    /// (its media is in the edge).
    /// </summary>
    [Alias("callcenter.agent.desktop-disconnected")]
    Task DesktopDisconnectedAsync(DesktopConnection connection, TimeSpan grace);

    /// <summary>
    /// The gateway still carries the desktop's stream <paramref name="connection"/> (renewed every minute). A session
    /// that nobody renews for two minutes, because the silo carrying its stream was killed or its site lost, counts as
    /// gone past its grace.
    /// </summary>
    [Alias("callcenter.agent.desktop-alive")]
    Task DesktopAliveAsync(DesktopConnection connection);

    /// <summary>A supervisor's message to the agent's desktop.</summary>
    [Alias("callcenter.agent.send-message")]
    Task SendMessageAsync(string from, string text);

    [Alias("callcenter.agent.subscribe")]
    Task SubscribeAsync(IAgentObserver observer);

    [Alias("callcenter.agent.unsubscribe")]
    Task UnsubscribeAsync(IAgentObserver observer);
}
