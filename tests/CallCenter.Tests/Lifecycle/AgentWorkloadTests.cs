using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class AgentWorkloadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Announce = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private static readonly AgentDefinition ChatAndVoice = new()
    {
        Id = "amy",
        Name = "Amy",
        SiteId = "north",
        Capacities = [new ChannelCapacity(Channel.Voice, 1), new ChannelCapacity(Channel.Chat, 2)],
    };

    [Fact]
    public void HasFreeCapacity_AvailableAgent_TakesWhatItIsConfiguredFor()
    {
        Assert.True(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.Available, offerPending: false, [], Channel.Voice));
        Assert.False(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.Available, offerPending: true, [], Channel.Voice));
        Assert.False(AgentWorkload.HasFreeCapacity(null, PresenceState.Available, offerPending: false, [], Channel.Voice));
        Assert.False(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.NotReady, offerPending: false, [], Channel.Voice));
    }

    [Fact]
    public void HasFreeCapacity_BusyWithChats_TakesMoreChatsUpToCapacity_ButNoVoice()
    {
        var oneChat = new[] { new AgentCallRef("c1", "q", 1, Channel.Chat, null) };
        var twoChats = new[] { oneChat[0], new AgentCallRef("c2", "q", 2, Channel.Chat, null) };

        Assert.True(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.Busy, offerPending: false, oneChat, Channel.Chat));
        Assert.False(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.Busy, offerPending: false, twoChats, Channel.Chat));
        Assert.False(AgentWorkload.HasFreeCapacity(ChatAndVoice, PresenceState.Busy, offerPending: false, oneChat, Channel.Voice));
    }

    [Fact]
    public void NextDueWork_IsTheEndOfWrapUp_ThenAnOrphanedOffer_ThenTheNextAnnouncement()
    {
        var wrapUp = new AgentPresence { State = PresenceState.WrapUp, WrapUpUntil = T0.AddSeconds(30) };
        Assert.Equal(TimeSpan.FromSeconds(30), AgentWorkload.NextDueWork(wrapUp, null, null, T0, Announce, Grace));

        var reserved = new AgentPresence { State = PresenceState.Reserved };
        Assert.Equal(TimeSpan.FromSeconds(20), AgentWorkload.NextDueWork(reserved, T0.AddSeconds(10), null, T0, Announce, Grace));

        Assert.Equal(Announce, AgentWorkload.NextDueWork(new AgentPresence { State = PresenceState.Available }, null, null, T0, Announce, Grace));
        Assert.Null(AgentWorkload.NextDueWork(new AgentPresence { State = PresenceState.NotReady }, null, null, T0, Announce, Grace));
    }

    [Fact]
    public void NextDueWork_AnEarlierDesktopGraceEnd_ComesFirst_JustPastIt()
    {
        var available = new AgentPresence { State = PresenceState.Available };

        Assert.Equal(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(1), AgentWorkload.NextDueWork(available, null, T0.AddSeconds(5), T0, Announce, Grace));
        Assert.Equal(TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(1),
            AgentWorkload.NextDueWork(new AgentPresence { State = PresenceState.NotReady }, null, T0.AddSeconds(60), T0, Announce, Grace));
    }
}
