using System.Net;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip.Transport;
using CallCenter.Sip.Uris;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Signalling;

/// <summary>RFC 7118 section 5: a WebSocket contact is reached over its registration's connection, never by its URI.</summary>
public sealed class WebSocketRoutingTests
{
    private static readonly AddressUri WsContact = AddressUri.Parse("sip:ned@df7jal23ls0d.invalid;transport=ws");

    [Fact]
    public void Resolve_WebSocketContact_IsNotDialledByItsUri()
    {
        Assert.True(SipSignalling.IsWebSocketContact(WsContact));
        Assert.Null(SipSignalling.Resolve(WsContact, out _));
        Assert.False(SipSignalling.IsWebSocketContact(AddressUri.Parse("sip:ned@127.0.0.1:5062;transport=tcp")));
    }

    [Fact]
    public async Task ResolveTarget_WebSocketContact_GoesToTheRegistrationsConnection_OrNowhere()
    {
        var listener = new WebSocketListener(new IPEndPoint(IPAddress.Loopback, 0), new WebSocketTransportOptions());
        await using var signalling = new SipSignalling(IPAddress.Loopback, 0, udp: true, tcp: false, "127.0.0.1", new FakeTimeProvider(), listener);
        var source = new IPEndPoint(IPAddress.Loopback, 40123);

        Assert.Null(signalling.ResolveTarget(WsContact, out _));

        signalling.WebSocketRoute = contact => contact.Equals(WsContact) ? (source, "WS") : null;
        Assert.Equal(source, signalling.ResolveTarget(WsContact, out string protocol));
        Assert.Equal("WS", protocol);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5070), signalling.ResolveTarget(AddressUri.Parse("sip:ned@127.0.0.1:5070"), out protocol));
        Assert.Equal("UDP", protocol);
        Assert.Equal("sip:edge@127.0.0.1:" + signalling.WebSocket!.LocalEndPoint.Port + ";transport=ws", signalling.ContactFor("edge", "WS").Uri.ToString());
    }
}
