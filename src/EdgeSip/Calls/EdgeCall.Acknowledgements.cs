using CallCenter.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>The ACKs of an edge call's 2xx answers: late offers' answers, and answers never acknowledged.</summary>
internal sealed partial class EdgeCall
{
    /// <summary>
    /// An ACK for one of our 2xx on this call's legs. When our 2xx carried the offer, the ACK carries the answer; when
    /// it lacks one or the answer is unusable the leg is ended with BYE (RFC 3261 13.3.1.4, RFC 3264 section 5).
    /// </summary>
    public void OnAck(SipRequest ack)
    {
        if (PhoneLegOf(ack.CallId) is { } phoneLeg)
        {
            if (!phoneLeg.OnAck(ack, out var held))
            {
                LogUnusableAck(CallId, ack.CallId);
                EndPhoneLeg(phoneLeg);
            }
            else if (held is { } holds && phoneLeg == _agent.Current)
            {
                Post(new AgentHold(phoneLeg, holds));
            }

            return;
        }

        if (ack.CallId == CallerSipCallId && !_caller.OnAck(ack))
        {
            LogUnusableAck(CallId, ack.CallId);
            EndCallerLeg();
        }
    }

    /// <summary>A 2xx of ours on one of this call's legs was never acknowledged (64·T1): that leg ends with BYE.</summary>
    public void OnAnswerNotAcknowledged(SipRequest invite)
    {
        LogNoAck(CallId, invite.CallId);
        if (PhoneLegOf(invite.CallId) is { } phoneLeg)
        {
            EndPhoneLeg(phoneLeg);
        }
        else if (invite.CallId == CallerSipCallId)
        {
            EndCallerLeg();
        }
    }

    /// <summary>The caller's RTP endpoint (what the edge sends the caller, for tests and diagnostics).</summary>
    internal Media.RtpEndpoint? CallerMedia => _caller.Media;

    /// <summary>The RTP endpoint towards the agent's phone, once it rings.</summary>
    internal Media.RtpEndpoint? AgentMedia => _agent.Current?.Media;

    private AgentLeg? PhoneLegOf(string? sipCallId) =>
        _consult.Leg is { } consult && consult.CallId == sipCallId ? consult
        : _agent.Current is { } agent && agent.CallId == sipCallId ? agent
        : null;

    private void EndPhoneLeg(AgentLeg leg)
    {
        _ = leg.HangUpAsync();
        Post(new AgentHungUp(leg));
    }

    /// <summary>BYE to the caller, then the call ends as if the caller had left (the grain hangs up, no queue, no offer).</summary>
    private void EndCallerLeg()
    {
        _ = _caller.ByeAsync();
        Post(new CallerLeft());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge call {CallId}: the ACK on {SipCallId} had no usable SDP answer to our offer; the leg ends")]
    private partial void LogUnusableAck(string callId, string? sipCallId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge call {CallId}: no ACK for our 2xx on {SipCallId} within 64*T1; the leg ends")]
    private partial void LogNoAck(string callId, string? sipCallId);
}
