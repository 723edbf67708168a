namespace CallCenter.EdgeSip.Calls;

/// <summary>The agent's phone reported that it rings (its first 180 or 183).</summary>
internal sealed record AgentRinging(AgentLeg Leg) : CallEvent;
