using System.Net;
using System.Net.Sockets;
using CallCenter.EdgeSip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class RtpRemoteTests
{
    private static readonly IPEndPoint Phone = new(IPAddress.Parse("192.0.2.10"), 40000);
    private static readonly IPEndPoint PhoneAfterNatRebinding = new(IPAddress.Parse("192.0.2.10"), 41234);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("198.51.100.7"), 40000);

    [Fact]
    public void Accept_FromTheSdpAddress_LatchesItsSsrc_AndRefusesOtherSenders()
    {
        var remote = new RtpRemote(AddressFamily.InterNetwork);
        remote.Set(Phone);

        Assert.True(remote.Accept(Phone.Serialize(), ssrc: 7));
        Assert.False(remote.Accept(Stranger.Serialize(), ssrc: 8));
        Assert.Equal(Phone, remote.EndPoint);
    }

    [Fact]
    public void Accept_TheLatchedSsrcFromANewAddress_FollowsIt()
    {
        var remote = new RtpRemote(AddressFamily.InterNetwork);
        remote.Set(Phone);
        remote.Accept(Phone.Serialize(), ssrc: 7);

        Assert.True(remote.Accept(PhoneAfterNatRebinding.Serialize(), ssrc: 7));

        Assert.Equal(PhoneAfterNatRebinding, remote.EndPoint);
        Assert.False(remote.Accept(Phone.Serialize(), ssrc: 9));
    }

    [Fact]
    public void Accept_WithoutAnSdpAddress_LatchesOntoTheFirstSender()
    {
        var remote = new RtpRemote(AddressFamily.InterNetwork);

        Assert.True(remote.Accept(Stranger.Serialize(), ssrc: 3));

        Assert.Equal(Stranger, remote.EndPoint);
        Assert.False(remote.Accept(Phone.Serialize(), ssrc: 4));
    }

    [Fact]
    public void Set_AgainAfterLatching_StartsLatchingAgain()
    {
        var remote = new RtpRemote(AddressFamily.InterNetwork);
        remote.Set(Phone);
        remote.Accept(Phone.Serialize(), ssrc: 7);

        remote.Set(Stranger);

        Assert.True(remote.Accept(Stranger.Serialize(), ssrc: 11));
        Assert.Equal(Stranger, remote.EndPoint);
    }
}
