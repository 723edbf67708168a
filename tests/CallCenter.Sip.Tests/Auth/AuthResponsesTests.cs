using CallCenter.Sip.Auth;
using static CallCenter.Sip.Tests.Auth.AuthTestMessages;

namespace CallCenter.Sip.Tests.Auth;

public sealed class AuthResponsesTests
{
    [Fact]
    public void CreateResponse_Request_CopiesDialogHeadersAndAddsToTag()
    {
        SipRequest request = Register(cseq: 7);

        SipResponse response = AuthResponses.CreateResponse(request, 401, "Unauthorized", toTag: "abc123");

        Assert.Equal(request.Headers.GetAll("Via"), response.Headers.GetAll("Via"));
        Assert.Equal(request.Headers.GetFirst("From"), response.Headers.GetFirst("From"));
        Assert.Equal(request.CallId, response.CallId);
        Assert.Equal("7 REGISTER", response.Headers.GetFirst("CSeq"));
        Assert.Equal("Alice <sip:alice@example.com>;tag=abc123", response.Headers.GetFirst("To"));
        Assert.False(response.Headers.Contains("Contact"));
        Assert.False(response.Headers.Contains("Max-Forwards"));
    }

    [Fact]
    public void CreateResponse_ToAlreadyTagged_KeepsTag()
    {
        SipRequest request = Register();
        request.Headers.Set("To", "<sip:alice@example.com>;tag=existing");

        SipResponse response = AuthResponses.CreateResponse(request, 407, "Proxy Authentication Required");

        Assert.Equal("existing", response.To!.Tag);
    }

    [Fact]
    public void CreateResponse_NoTagGiven_GeneratesRandomTag()
    {
        SipResponse first = AuthResponses.CreateResponse(Register(), 401, "Unauthorized");
        SipResponse second = AuthResponses.CreateResponse(Register(), 401, "Unauthorized");

        Assert.Equal(16, first.To!.Tag!.Length);
        Assert.NotEqual(first.To.Tag, second.To!.Tag);
    }

    [Fact]
    public void CreateChallenge_ParsesBackAsValidResponse()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipResponse response = AuthResponses.CreateChallenge(Register(), authenticator.CreateChallenges(), proxy: false);

        var parsed = (SipResponse)SipMessageParser.Parse(response.ToBytes());

        Assert.Equal(401, parsed.StatusCode);
        Assert.Equal(2, parsed.Headers.CountOf("WWW-Authenticate"));
        Assert.All(parsed.Headers.GetAll("WWW-Authenticate"), value => Assert.Equal(Realm, DigestChallenge.Parse(value).Realm));
        Assert.Equal("1 REGISTER", parsed.Headers.GetFirst("CSeq"));
    }
}
