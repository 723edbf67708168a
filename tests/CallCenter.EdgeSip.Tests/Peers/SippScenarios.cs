namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>The scenarios of <c>tests/sipp</c>; each file's header comment is its contract (variables, what it expects).</summary>
public static class SippScenarios
{
    /// <summary>Caller: INVITE, 200, ACK, tone, BYE after <c>hold_ms</c>.</summary>
    public const string CallerHangsUp = "caller-hangs-up.xml";

    /// <summary>Caller: INVITE, 200, ACK, tone, waits for the edge's BYE (bound by -recv_timeout).</summary>
    public const string CallerWaitsForBye = "caller-waits-for-bye.xml";

    /// <summary>Caller: INVITE, 200, ACK, tone, RFC 2833 <c>digits</c>, then BYE after <c>bye_after_ms</c> or waits for the edge's.</summary>
    public const string CallerDtmf = "caller-dtmf.xml";

    /// <summary>Caller: INVITE, 100, CANCEL, 200 (CANCEL), 487, ACK.</summary>
    public const string CallerCancel = "caller-cancel.xml";

    /// <summary>Agent phones: REGISTER, 401, REGISTER with digest, 200; one per line of the injection file.</summary>
    public const string AgentRegister = "agent-register.xml";

    /// <summary>Agent phones (server): INVITE, 180, 200, ACK, tone, then BYE after <c>bye_after_ms</c> or waits for the edge's.</summary>
    public const string AgentPhone = "agent-phone.xml";

    /// <summary>Agent phone (server): answers like <see cref="AgentPhone"/>, then REFERs the call to <c>refer_to</c> and expects 202, NOTIFY "200 OK" and the edge's BYE.</summary>
    public const string AgentPhoneRefer = "agent-phone-refer.xml";

    /// <summary>Agent phone (server): answers, holds (re-INVITE a=sendonly), resumes (a=sendrecv), then BYE.</summary>
    public const string AgentPhoneHold = "agent-phone-hold.xml";

    /// <summary>Agent phone (server): as <see cref="AgentPhoneHold"/> with re-INVITEs without SDP; the answers (sendonly, sendrecv) go in the ACKs.</summary>
    public const string AgentPhoneLateHold = "agent-phone-late-hold.xml";

    /// <summary>Agent phone (server): answers, re-INVITEs without SDP, ACKs the edge's offer with an unusable answer (video only) and expects the edge's BYE.</summary>
    public const string AgentPhoneBadLateAnswer = "agent-phone-bad-late-answer.xml";

    /// <summary>Agent phone (server): rings with a reliable 180 (RFC 3262), expects one PRACK, repeats the 180 once (no second PRACK allowed), answers, then BYE.</summary>
    public const string AgentPhone100rel = "agent-phone-100rel.xml";

    /// <summary>Agent phone (server): as <see cref="AgentPhone100rel"/>, but a reliable 183 carries the SDP answer and the 200 none.</summary>
    public const string AgentPhone100relEarlyAnswer = "agent-phone-100rel-early-answer.xml";

    /// <summary>Caller (client): INVITE with Require: 100rel, PRACKs the edge's reliable 180, is answered, hangs up after hold_ms.</summary>
    public const string Caller100rel = "caller-100rel.xml";

    /// <summary>Bench baseline client: plain call, no media.</summary>
    public const string UacBaseline = "uac-baseline.xml";

    /// <summary>Bench baseline server.</summary>
    public const string UasBaseline = "uas-baseline.xml";

    /// <summary>Validation only: the edge answering a caller (<c>answer_pt</c>, <c>bye_after_ms</c>).</summary>
    public const string ValidationEdgeAnswers = "validation/edge-answers.xml";

    /// <summary>Validation only: the edge ringing, then cancelled.</summary>
    public const string ValidationEdgeRings = "validation/edge-rings.xml";

    /// <summary>Validation only: the edge's registrar (<c>password</c>, <c>md5_only</c>).</summary>
    public const string ValidationEdgeRegistrar = "validation/edge-registrar.xml";

    /// <summary>Validation only: the edge calling an agent phone (<c>offer</c>, <c>bye_after_ms</c>).</summary>
    public const string ValidationEdgeCallsAgent = "validation/edge-calls-agent.xml";
}
