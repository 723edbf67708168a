using CallCenter.Sip.Headers;

namespace CallCenter.Sip.Tests;

/// <summary>Compares two messages by value: start line, headers by name and value, body bytes.</summary>
public static class MessageAssert
{
    public static void Equivalent(SipMessage expected, SipMessage actual)
    {
        switch (expected)
        {
            case SipRequest request:
                var actualRequest = Assert.IsType<SipRequest>(actual);
                Assert.Equal(request.Method, actualRequest.Method);
                Assert.Equal(request.RequestUri, actualRequest.RequestUri);
                break;
            case SipResponse response:
                var actualResponse = Assert.IsType<SipResponse>(actual);
                Assert.Equal(response.StatusCode, actualResponse.StatusCode);
                Assert.Equal(response.ReasonPhrase, actualResponse.ReasonPhrase);
                break;
        }

        Assert.Equal(
            expected.Headers.Where(h => h.Name != SipHeaderNames.ContentLength).Select(h => (h.Name, h.Value)),
            actual.Headers.Where(h => h.Name != SipHeaderNames.ContentLength).Select(h => (h.Name, h.Value)));
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(actual.Body.Length, actual.ContentLength);

        Assert.Equal(expected.CallId, actual.CallId);
        Assert.Equal(expected.CSeq, actual.CSeq);
        Assert.Equal(expected.From?.Tag, actual.From?.Tag);
        Assert.Equal(expected.To?.Tag, actual.To?.Tag);
        Assert.Equal(expected.Vias.Count, actual.Vias.Count);
        Assert.Equal(expected.TopVia?.Branch, actual.TopVia?.Branch);
        AssertAddressesEquivalent(expected.From, actual.From);
        AssertAddressesEquivalent(expected.To, actual.To);
    }

    /// <summary>Parses, serializes, parses again and checks that nothing changed.</summary>
    public static SipMessage RoundTrip(SipMessage message)
    {
        byte[] wire = message.ToBytes();
        SipMessage reparsed = SipMessageParser.Parse(wire);
        Equivalent(message, reparsed);
        Assert.Equal(wire, reparsed.ToBytes());
        return reparsed;
    }

    private static void AssertAddressesEquivalent(NameAddress? expected, NameAddress? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected is null, actual is null);
            return;
        }

        Assert.True(expected.IsEquivalentTo(actual), $"{expected} differs from {actual}");
    }
}
