using CallCenter.Model;

namespace CallCenter.Grains;

/// <summary>Receives an agent's events (offers, state changes): the desktop's or a simulator's callback.</summary>
[Alias("IAgentObserver")]
public interface IAgentObserver : IGrainObserver
{
    [Alias("OnOffer")]
    void OnOffer(OfferLease offer);

    [Alias("OnOfferWithdrawn")]
    void OnOfferWithdrawn(string callId, long epoch);

    [Alias("OnPresenceChanged")]
    void OnPresenceChanged(AgentStatus status);

    /// <summary>A supervisor wrote to the agent.</summary>
    [Alias("OnSupervisorMessage")]
    void OnSupervisorMessage(string from, string text);
}

/// <summary>One agent: profile, presence state machine, offer reservation and counters. Awaits nobody but its observers (one-way).</summary>
[Alias("IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    [Alias("ConfigureAsync")]
    Task ConfigureAsync(AgentConfiguration configuration);

    [Alias("RemoveAsync")]
    Task RemoveAsync();

    /// <summary>Logs the agent in: Available, or NotReady with <paramref name="notReadyReason"/> (a desktop logs in NotReady until its event stream is open).</summary>
    [Alias("LoginAsync")]
    Task<CommandResult> LoginAsync(string? notReadyReason = null);

    [Alias("LogoutAsync")]
    Task<CommandResult> LogoutAsync();

    [Alias("SetAvailableAsync")]
    Task<CommandResult> SetAvailableAsync();

    [Alias("SetNotReadyAsync")]
    Task<CommandResult> SetNotReadyAsync(string reasonCode);

    [Alias("CompleteWrapUpAsync")]
    Task<CommandResult> CompleteWrapUpAsync();

    [Alias("GetStatusAsync")]
    Task<AgentStatus> GetStatusAsync();

    /// <summary>The SIP edge registered the agent's phone at <paramref name="contactUri"/> until <paramref name="until"/>; null unregisters it.</summary>
    [Alias("SetPhoneAsync")]
    Task SetPhoneAsync(string? contactUri, DateTimeOffset until);

    /// <summary>The agent's desktop opened an event stream for <paramref name="sessionId"/>; says whether it resumes that session within its grace period.</summary>
    [Alias("DesktopConnectedAsync")]
    Task<DesktopConnection> DesktopConnectedAsync(string sessionId);

    /// <summary>
    /// The desktop's stream <paramref name="connection"/> dropped (a newer stream of the session makes it moot). Unless it reconnects within <paramref name="grace"/>,
    /// the agent becomes NotReady("disconnected") and any pending offer returns to its queue; a call in progress is kept
    /// (its media is in the edge).
    /// </summary>
    [Alias("DesktopDisconnectedAsync")]
    Task DesktopDisconnectedAsync(DesktopConnection connection, TimeSpan grace);

    /// <summary>
    /// The gateway still carries the desktop's stream <paramref name="connection"/> (renewed every minute). A session
    /// that nobody renews for two minutes, because the silo carrying its stream was killed or its site lost, counts as
    /// gone past its grace.
    /// </summary>
    [Alias("DesktopAliveAsync")]
    Task DesktopAliveAsync(DesktopConnection connection);

    /// <summary>A supervisor's message to the agent's desktop.</summary>
    [Alias("SendMessageAsync")]
    Task SendMessageAsync(string from, string text);

    [Alias("SubscribeAsync")]
    Task SubscribeAsync(IAgentObserver observer);

    [Alias("UnsubscribeAsync")]
    Task UnsubscribeAsync(IAgentObserver observer);
}
