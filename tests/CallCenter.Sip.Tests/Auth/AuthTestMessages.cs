using System.Globalization;
using System.Text;
using CallCenter.Sip.Auth;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Auth;

internal static class AuthTestMessages
{
    public const string Realm = "example.com";
    public const string Username = "alice";
    public const string Password = "correct horse";

    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static SipRequest Register(int cseq = 1, string requestUri = "sip:example.com", string extraHeaders = "") =>
        Request("REGISTER", cseq, requestUri, extraHeaders);

    public static SipRequest Request(string method, int cseq, string requestUri, string extraHeaders = "")
    {
        string text =
            $"{method} {requestUri} SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bKnashds7\r\n" +
            "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK77ef4c2312983.1\r\n" +
            "Max-Forwards: 70\r\n" +
            "To: Alice <sip:alice@example.com>\r\n" +
            "From: Alice <sip:alice@example.com>;tag=456248\r\n" +
            "Call-ID: 843817637684230@998sdasdh09\r\n" +
            $"CSeq: {cseq.ToString(CultureInfo.InvariantCulture)} {method}\r\n" +
            "Contact: <sip:alice@192.0.2.4>\r\n" +
            extraHeaders +
            "Content-Length: 0\r\n\r\n";
        return (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(text));
    }

    public static InMemoryCredentialStore Store()
    {
        var store = new InMemoryCredentialStore();
        store.Add(Username, Realm, Password);
        return store;
    }

    public static (DigestAuthenticator Authenticator, FakeTimeProvider Time) Authenticator(
        bool proxyMode = false,
        IReadOnlyList<DigestAlgorithm>? algorithms = null,
        int maxTrackedNonces = 10_000,
        ICredentialStore? store = null)
    {
        var time = new FakeTimeProvider(Start);
        var options = new DigestAuthenticatorOptions
        {
            Realm = Realm,
            ProxyMode = proxyMode,
            Algorithms = algorithms ?? DigestAlgorithm.Supported,
            NonceLifetime = TimeSpan.FromMinutes(5),
            MaxTrackedNonces = maxTrackedNonces,
        };
        return (new DigestAuthenticator(options, store ?? Store(), time), time);
    }
}
