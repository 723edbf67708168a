using CallCenter.Model;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Calls;

/// <summary>What happens to an edge call, queued to the call's own loop so its logic runs one event at a time.</summary>
internal abstract record CallEvent;

internal sealed record CallerDigit(char Digit) : CallEvent;

/// <summary>The caller sent BYE, or CANCEL before the answer.</summary>
internal sealed record CallerLeft : CallEvent;

internal sealed record CallChanged(CallSnapshot Call) : CallEvent;

internal sealed record AgentAnswered(AgentLeg Leg) : CallEvent;

internal sealed record AgentFailed(AgentLeg Leg, int StatusCode) : CallEvent;

internal sealed record AgentHungUp(AgentLeg Leg) : CallEvent;

internal sealed record AgentHold(AgentLeg Leg, bool Held) : CallEvent;

/// <summary>The agent's phone sent REFER: a blind transfer to <see cref="Target"/>.</summary>
internal sealed record AgentReferred(AgentLeg Leg, SipRequest Refer, string Target) : CallEvent;

/// <summary>The periodic announcement of position and expected wait is due.</summary>
internal sealed record AnnouncementDue : CallEvent;
