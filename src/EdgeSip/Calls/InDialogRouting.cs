using CallCenter.Sip;

namespace CallCenter.EdgeSip.Calls;

/// <summary>Which of an edge call's legs an in-dialog request came on.</summary>
internal enum CallLegKind
{
    Caller,
    Agent,

    /// <summary>The consulted party's phone, which talks only to the consulting agent.</summary>
    Consult,
}

/// <summary>What the edge does with an in-dialog request.</summary>
internal enum InDialogAction
{
    /// <summary>BYE: 200, and the leg's party has hung up.</summary>
    HangUp,

    /// <summary>re-INVITE or UPDATE (RFC 3311): 200 with our answer, or our offer for a re-INVITE without one (the agent's may put the call on hold).</summary>
    AnswerReInvite,

    /// <summary>The agent's REFER: 202 (400 without Refer-To), and a blind transfer.</summary>
    Transfer,

    /// <summary>The caller's INFO: 200, and a digit if it carries one.</summary>
    ReadDigit,

    /// <summary>PRACK (RFC 3262): 200 when it acknowledges one of our reliable provisionals, else 481.</summary>
    Prack,

    /// <summary>200 and nothing more.</summary>
    Acknowledge,

    /// <summary>403: the consulted party may hang up or renegotiate media, nothing more.</summary>
    Forbid,

    /// <summary>405.</summary>
    NotAllowed,
}

/// <summary>The edge's rules for requests inside its dialogs, by leg and method.</summary>
internal static class InDialogRouting
{
    public static InDialogAction Route(CallLegKind leg, string method) => (leg, method) switch
    {
        (_, SipMethods.Bye) => InDialogAction.HangUp,
        (_, SipMethods.Invite or SipMethods.Update) => InDialogAction.AnswerReInvite,
        (_, SipMethods.Prack) => InDialogAction.Prack,
        (CallLegKind.Agent, SipMethods.Refer) => InDialogAction.Transfer,
        (CallLegKind.Caller, SipMethods.Info) => InDialogAction.ReadDigit,
        (_, SipMethods.Notify or SipMethods.Options or SipMethods.Info) => InDialogAction.Acknowledge,
        (CallLegKind.Consult, _) => InDialogAction.Forbid,
        _ => InDialogAction.NotAllowed,
    };

    /// <summary>RFC 3515 2.4.1: a REFER names exactly one Refer-To. Null, with the 400's reason, when it names none or several.</summary>
    public static string? ReferTarget(SipRequest refer, out string refusal)
    {
        var targets = refer.Headers.GetAll(SipHeaderNames.ReferTo);
        refusal = targets.Count == 0 ? "Missing Refer-To" : "Several Refer-To";
        return targets.Count == 1 ? targets[0] : null;
    }
}
