using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Tests;

public sealed class SipUriTests
{
    [Fact]
    public void Parse_FullSipUri_ReadsEveryComponent()
    {
        var uri = SipUri.Parse("sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent");

        Assert.True(uri.IsSecure);
        Assert.Equal("sips", uri.Scheme);
        Assert.Equal("alice", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("atlanta.example.com", uri.Host);
        Assert.Equal(SipHostKind.DomainName, uri.HostKind);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", uri.Parameters.Get("transport"));
        Assert.True(uri.Parameters.Contains("lr"));
        Assert.Null(uri.Parameters.Get("lr"));
        Assert.Equal("project x", uri.Headers.Get("subject"));
        Assert.Equal("urgent", uri.Headers.Get("priority"));
    }

    [Theory]
    [InlineData("sip:[2001:db8::10]:5070", "[2001:db8::10]", SipHostKind.IPv6, 5070)]
    [InlineData("sip:192.0.2.4", "192.0.2.4", SipHostKind.IPv4, null)]
    [InlineData("SIP:user@Example.COM", "Example.COM", SipHostKind.DomainName, null)]
    public void Parse_HostForms_AreRecognised(string text, string host, SipHostKind kind, int? port)
    {
        var uri = SipUri.Parse(text);

        Assert.Equal(host, uri.Host);
        Assert.Equal(kind, uri.HostKind);
        Assert.Equal(port, uri.Port);
    }

    [Fact]
    public void Parse_EscapedParameterValue_DecodesExactlyOnce()
    {
        var uri = SipUri.Parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");

        Assert.Equal("caller", uri.User);
        Assert.True(uri.Parameters.Contains("lr"));
        Assert.Equal("value%41", uri.Parameters.Get("name"));
    }

    [Fact]
    public void ToString_DecodedPercent_IsEscapedAgainSoItRoundTrips()
    {
        var uri = SipUri.Parse("sip:host;name=v%61lue%25%34%31");

        string text = uri.ToString();

        Assert.Equal("sip:host;name=value%2541", text);
        Assert.Equal(uri, SipUri.Parse(text));
    }

    [Fact]
    public void Parse_EscapedNulInUser_DoesNotTruncateUser()
    {
        var uri = SipUri.Parse("sip:null-%00-null@example.com");

        Assert.Equal("null-\0-null", uri.User);
        Assert.Equal(11, uri.User!.Length);
        Assert.Equal("sip:null-%00-null@example.com", uri.ToString());
    }

    [Fact]
    public void Parse_EscapedUserHoldingAUri_KeepsItAsTheUser()
    {
        var uri = SipUri.Parse("sip:sips%3Auser%40example.com@example.net");

        Assert.Equal("sips:user@example.com", uri.User);
        Assert.Equal("example.net", uri.Host);
    }

    [Fact]
    public void Parse_UserWithSemicolonAndEscapedAt_KeepsSemicolonInUser()
    {
        var uri = SipUri.Parse("sip:user;par=u%40example.net@example.com");

        Assert.Equal("user;par=u@example.net", uri.User);
        Assert.Empty(uri.Parameters);
        Assert.Equal("sip:user;par=u%40example.net@example.com", uri.ToString());
    }

    [Fact]
    public void Parse_Utf8Escapes_DecodeToUnicode()
    {
        var uri = SipUri.Parse("sip:Ren%C3%A9@example.com");

        Assert.Equal("René", uri.User);
        Assert.Equal("sip:Ren%C3%A9@example.com", uri.ToString());
    }

    [Theory]
    [InlineData("tel:+1-201-555-0123")]
    [InlineData("nobodyKnowsThisScheme:totallyopaquecontent")]
    [InlineData("soap.beep://192.0.2.103:3002")]
    public void Parse_OtherSchemes_AreKeptOpaque(string text)
    {
        var uri = Assert.IsType<OpaqueUri>(AddressUri.Parse(text));

        Assert.Equal(text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..], uri.SchemeSpecificPart);
        Assert.Equal(text.ToLowerInvariant()[..text.IndexOf(':', StringComparison.Ordinal)], uri.Scheme);
    }

    [Theory]
    [InlineData("<sip:user@example.com>")]
    [InlineData("sip:user@example.com lr")]
    [InlineData("sip:@example.com")]
    [InlineData("sip:user@")]
    [InlineData("sip:user@host:99999")]
    [InlineData("sip:user@host:5a")]
    [InlineData("sip:us%4@host")]
    [InlineData("sip:user@[::1")]
    [InlineData("sip:user@bad_host")]
    [InlineData("sip:host;=value")]
    [InlineData("noscheme")]
    [InlineData("1sip:host")]
    public void Parse_MalformedUri_ThrowsSipParseException(string text)
    {
        Assert.Throws<SipParseException>(() => AddressUri.Parse(text));
    }

    [Fact]
    public void ToString_BuiltUri_EscapesReservedCharacters()
    {
        var uri = new SipUri("example.com") { User = "a b@c", Port = 5060 };
        uri.Parameters.Add("transport", "udp");
        uri.Headers.Add("Route", "<sip:proxy.example.com>");

        Assert.Equal("sip:a%20b%40c@example.com:5060;transport=udp?Route=%3Csip:proxy.example.com%3E", uri.ToString());
        Assert.Equal(uri, SipUri.Parse(uri.ToString()));
    }
}
