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

    /// <summary>A queue asks to hold this agent for an offer; refused unless Available with free capacity.</summary>
    [Alias("TryReserveAsync")]
    Task<bool> TryReserveAsync(OfferLease lease);

    /// <summary>The queue confirms the agent accepted: Reserved → Busy.</summary>
    [Alias("ConfirmAcceptAsync")]
    Task<CommandResult> ConfirmAcceptAsync(string callId, long epoch, double wrapUpSeconds);

    /// <summary>The queue takes the offer back; a missed offer (timeout or reject) makes the agent NotReady("missed offer").</summary>
    [Alias("ReleaseOfferAsync")]
    Task ReleaseOfferAsync(string callId, long epoch, bool missed);

    /// <summary>
    /// The call the agent held ended (or was transferred away): Busy → WrapUp. When the wrap-up ends the agent reports
    /// the handled call (talk plus wrap-up) to the call's queue, for its handle-time figures.
    /// </summary>
    [Alias("CallEndedAsync")]
    Task CallEndedAsync(string callId, double talkSeconds, string siteId);

    /// <summary>
    /// The call says it is not with this agent (it ended, or went to another agent): the agent forgets it without a
    /// wrap-up, and is free again if it holds no other call.
    /// </summary>
    [Alias("DropCallAsync")]
    Task DropCallAsync(string callId);

    [Alias("CompleteWrapUpAsync")]
    Task<CommandResult> CompleteWrapUpAsync();

    /// <summary>Ends wrap-up when due by the contact-center clock and re-announces availability. Idempotent; the grain's timer calls it.</summary>
    [Alias("ProcessDueWorkAsync")]
    Task ProcessDueWorkAsync();

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
