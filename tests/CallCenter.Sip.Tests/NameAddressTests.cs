using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Tests;

public sealed class NameAddressTests
{
    [Fact]
    public void Parse_QuotedDisplayNameWithEscapes_Unescapes()
    {
        var address = NameAddress.Parse("\"J Rosenberg \\\\\\\"\"  <sip:jdrosen@example.com> ; tag = 98asjd8");

        Assert.Equal("J Rosenberg \\\"", address.DisplayName);
        Assert.Equal("98asjd8", address.Tag);
        Assert.Equal("jdrosen", Assert.IsType<SipUri>(address.Uri).User);
    }

    [Fact]
    public void Parse_TokenDisplayName_KeepsTokens()
    {
        var address = NameAddress.Parse("A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe");

        Assert.Equal("A. Bell", address.DisplayName);
        Assert.Equal("qweoiqpe", address.Tag);
    }

    [Fact]
    public void Parse_TokenDirectlyBeforeAngleBracket_IsAccepted()
    {
        var address = NameAddress.Parse("caller<sip:caller@example.com>;tag=323");

        Assert.Equal("caller", address.DisplayName);
    }

    [Fact]
    public void Parse_BareAddrSpec_ParametersBelongToHeader()
    {
        var address = NameAddress.Parse("sip:+19725552222@gw1.example.net;unknownparam;tag=x");

        var uri = Assert.IsType<SipUri>(address.Uri);
        Assert.Empty(uri.Parameters);
        Assert.True(address.Parameters.Contains("unknownparam"));
        Assert.Equal("x", address.Tag);
    }

    [Fact]
    public void Parse_BracketedUri_ParametersInsideBelongToUri()
    {
        var address = NameAddress.Parse("<sip:+19725552222@gw1.example.net;unknownparam>;expires=60");

        Assert.True(Assert.IsType<SipUri>(address.Uri).Parameters.Contains("unknownparam"));
        Assert.Equal("60", address.Parameters.Get("expires"));
        Assert.False(address.Parameters.Contains("unknownparam"));
    }

    [Fact]
    public void Parse_QuotedParameterValue_KeepsQuotes()
    {
        var address = NameAddress.Parse("<sip:a@b.example>;+sip.instance=\"<urn:uuid:1;2>\"");

        Assert.Equal("\"<urn:uuid:1;2>\"", address.Parameters.Get("+sip.instance"));
    }

    [Theory]
    [InlineData("\"Mr. J. User <sip:j.user@example.com>")]
    [InlineData("Watson, Thomas <sip:t.watson@example.org>")]
    [InlineData("\"Watson, Thomas\" < sip:t.watson@example.org >")]
    [InlineData("sip:user@example.com?Route=%3Csip:sip.example.com%3E")]
    [InlineData("<sip:joe@example.org>;;;;")]
    [InlineData("<sip:joe@example.org")]
    [InlineData("")]
    public void Parse_MalformedAddress_ThrowsSipParseException(string text)
    {
        Assert.Throws<SipParseException>(() => NameAddress.Parse(text));
    }

    [Fact]
    public void ToString_DisplayNameWithQuote_QuotesAndRoundTrips()
    {
        var address = new NameAddress(SipUri.Parse("sip:bob@example.com"), "Bob \"the\" Builder");
        address.Parameters.Add("tag", "a6c85cf");

        string text = address.ToString();

        Assert.Equal("\"Bob \\\"the\\\" Builder\" <sip:bob@example.com>;tag=a6c85cf", text);
        Assert.True(address.IsEquivalentTo(NameAddress.Parse(text)));
    }

    [Fact]
    public void Parse_ContactWildcard_IsWildcard()
    {
        Assert.True(ContactHeader.Parse(" * ").IsWildcard);
        Assert.Equal("*", ContactHeader.Parse("*").ToString());
    }
}
