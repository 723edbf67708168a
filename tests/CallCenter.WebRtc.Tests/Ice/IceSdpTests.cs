using System.Net;
using System.Security.Cryptography;
using CallCenter.WebRtc.Ice;

namespace CallCenter.WebRtc.Tests.Ice;

public sealed class IceSdpTests
{
    [Fact]
    public void Generate_Credentials_AreValidIceCharsOfRfcSize()
    {
        var credentials = IceCredentials.Generate(RandomNumberGenerator.Create());

        Assert.True(IceCredentials.IsValid(credentials.Ufrag, credentials.Password));
        Assert.True(credentials.Ufrag.Length >= 4);
        Assert.True(credentials.Password.Length >= 22);
    }

    [Fact]
    public void Generate_TwoAgents_GetDifferentCredentials()
    {
        using var random = RandomNumberGenerator.Create();

        Assert.NotEqual(IceCredentials.Generate(random), IceCredentials.Generate(random));
    }

    [Fact]
    public void ToString_Credentials_LeavesThePasswordOut()
    {
        var text = new IceCredentials("ufrg", "secretsecretsecretsecret").ToString();

        Assert.Contains("ufrg", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CandidatePriority_HostRtp_IsTheRfc8445Formula()
        => Assert.Equal(2130706431u, IceSdp.CandidatePriority(IceSdp.HostTypePreference, IceSdp.SingleAddressLocalPreference, 1));

    [Fact]
    public void HostCandidate_IPv4_WritesTheRfc8839Line()
    {
        var line = IceSdp.HostCandidate(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40000));

        Assert.Equal("a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host", line.ToString());
    }

    [Fact]
    public void LocalMediaAttributes_AreUfragPwdCandidateAndEndOfCandidates()
    {
        var local = new IceCredentials("edgeufrg", "edgepasswordedgepassword");

        var lines = IceSdp.LocalMediaAttributes(local, new IPEndPoint(IPAddress.Parse("2001:db8::5"), 40002)).Select(a => a.ToString());

        Assert.Equal(
            ["a=ice-ufrag:edgeufrg", "a=ice-pwd:edgepasswordedgepassword", "a=candidate:1 1 udp 2130706431 2001:db8::5 40002 typ host", "a=end-of-candidates"],
            lines);
        Assert.Equal("a=ice-lite", IceSdp.IceLite.ToString());
    }

    [Fact]
    public void ReadRemoteCredentials_BrowserOffer_ReadsMediaLevelUfragAndPwd()
    {
        const string offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 0 8 101\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Fx7q\r\n"
            + "a=ice-pwd:h6vYm2pT0tZ+Lx9bQe4sA1/c\r\na=ice-options:trickle\r\na=rtcp-mux\r\n";

        Assert.Equal(new IceCredentials("Fx7q", "h6vYm2pT0tZ+Lx9bQe4sA1/c"), IceSdp.ReadRemoteCredentials(offer));
    }

    [Fact]
    public void ReadRemoteCredentials_SessionLevelOnly_IsUsedForTheStream()
    {
        const string offer = "v=0\na=ice-ufrag:sess\na=ice-pwd:sessionpasswordsession12\nm=audio 9 RTP/SAVPF 0\n";

        Assert.Equal(new IceCredentials("sess", "sessionpasswordsession12"), IceSdp.ReadRemoteCredentials(offer));
    }

    [Fact]
    public void ReadRemoteCredentials_MediaLevelOverridesSessionLevel()
    {
        IceSdpAttribute[] session = [new("ice-ufrag", "sess"), new("ice-pwd", "sessionpasswordsession12")];
        IceSdpAttribute[] media = [new("ice-ufrag", "medi"), new("ice-pwd", "mediapasswordmediapass12")];

        Assert.Equal(new IceCredentials("medi", "mediapasswordmediapass12"), IceSdp.ReadRemoteCredentials(session, media));
    }

    [Theory]
    [InlineData("a=ice-ufrag:abc\na=ice-pwd:passwordpasswordpassword")] // ufrag too short
    [InlineData("a=ice-ufrag:abcd\na=ice-pwd:short")] // password too short
    [InlineData("a=ice-ufrag:ab d\na=ice-pwd:passwordpasswordpassword")] // not an ice-char
    [InlineData("a=ice-pwd:passwordpasswordpassword")] // ufrag missing
    public void ReadRemoteCredentials_InvalidOrMissing_IsNull(string attributes)
        => Assert.Null(IceSdp.ReadRemoteCredentials("v=0\nm=audio 9 RTP/SAVPF 0\n" + attributes + "\n"));
}
