using CallCenter.Gateway.V1;
using CallCenter.Model;
using Google.Protobuf.WellKnownTypes;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>Grain records to the public contract's messages, in one place.</summary>
internal static class ProtoMapping
{
    public static AgentState ToProto(PresenceState state) => state switch
    {
        PresenceState.LoggedOut => AgentState.LoggedOut,
        PresenceState.Available => AgentState.Available,
        PresenceState.NotReady => AgentState.NotReady,
        PresenceState.Reserved => AgentState.Reserved,
        PresenceState.Busy => AgentState.Busy,
        PresenceState.WrapUp => AgentState.WrapUp,
        _ => AgentState.Unspecified,
    };

    public static StateChanged ToProto(AgentStatus status)
    {
        var changed = new StateChanged { State = ToProto(status.Presence.State), ReasonCode = status.Presence.ReasonCode ?? "" };
        if (status.Presence.WrapUpUntil is { } until)
        {
            changed.WrapUpUntil = Timestamp.FromDateTimeOffset(until);
        }

        return changed;
    }

    public static CallUpdate ToProto(CallSnapshot call) => new()
    {
        CallId = call.CallId,
        State = call.State.ToString(),
        AgentId = call.AgentId ?? "",
        QueueId = call.QueueId ?? "",
        Outcome = call.Outcome == CallOutcome.None ? "" : call.Outcome.ToString(),
        ConsultTarget = call.Consult?.Target ?? "",
    };

    public static CustomerView ToProto(CustomerProfile profile)
    {
        var view = new CustomerView { CustomerKey = profile.CustomerKey, Name = profile.Name ?? "", Tier = profile.Tier.ToString() };
        view.Attributes.Add(profile.Attributes.ToDictionary());
        foreach (var contact in profile.History.TakeLast(20))
        {
            view.History.Add(new Contact
            {
                CallId = contact.CallId,
                At = Timestamp.FromDateTimeOffset(contact.At),
                Outcome = contact.Outcome.ToString(),
                AgentId = contact.AgentId ?? "",
                QueueId = contact.QueueId ?? "",
                WaitSeconds = contact.WaitSeconds,
                TalkSeconds = contact.TalkSeconds,
            });
        }

        return view;
    }

    public static ScreenPop ScreenPop(CallSnapshot call, CustomerProfile? customer)
    {
        var pop = new ScreenPop
        {
            CallerNumber = call.Arrival?.CallerNumber ?? "",
            DialledNumber = call.Arrival?.DialledNumber ?? "",
        };
        if (customer is not null)
        {
            pop.Customer = ToProto(customer);
        }

        pop.AttachedData.Add(call.AttachedData.ToDictionary());
        pop.Notes.Add(call.Notes);
        pop.PreviousAgents.Add(call.Timeline.Where(e => e.Kind == CallEventKind.Accepted && e.AgentId is not null).Select(e => e.AgentId!).Distinct());
        return pop;
    }

    public static Model.TransferKind? FromProto(Proto.TransferKind kind) => kind switch
    {
        Proto.TransferKind.Queue => Model.TransferKind.Queue,
        Proto.TransferKind.Agent => Model.TransferKind.Agent,
        Proto.TransferKind.PartnerExpertQueue => Model.TransferKind.PartnerExpertQueue,
        Proto.TransferKind.External => Model.TransferKind.External,
        _ => null,
    };
}
