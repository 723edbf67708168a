using System.Globalization;
using System.Net;
using System.Text;
using CallCenter.EdgeSip.Registrar;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Registrar;

/// <summary>A registrar on fake time with two accounts, and the events it raised.</summary>
internal sealed class RegistrarTestKit
{
    public const string Realm = "example.com";
    public const string AliceAgent = "agent-alice";
    public const string BobAgent = "agent-bob";

    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly IPEndPoint Source = new(IPAddress.Parse("198.51.100.7"), 40123);

    public RegistrarTestKit(RegistrarOptions? options = null, byte[]? nonceSecret = null, IRegistrarAccounts? accounts = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Registrar = accounts is null
            ? new SipRegistrar(
                options ?? new RegistrarOptions { Realm = Realm },
                [new SipAccount("alice", "alice-secret", AliceAgent), new SipAccount("bob", "bob-secret", BobAgent)],
                Time,
                nonceSecret)
            : new SipRegistrar(options ?? new RegistrarOptions { Realm = Realm }, accounts, Time, nonceSecret);
        Registrar.BindingsChanged += (agent, binding) =>
        {
            lock (Events)
            {
                Events.Add((agent, binding));
            }
        };
    }

    public FakeTimeProvider Time { get; }

    public SipRegistrar Registrar { get; }

    public List<(string Agent, RegistrationBinding? Binding)> Events { get; } = [];

    public Phone Phone(string username = "alice", string? password = null, string? toUser = null, string callId = "call-1@198.51.100.7") =>
        new(this, username, password ?? username + "-secret", toUser ?? username, callId);
}

/// <summary>A UA that registers like a real one: answers 401 with <see cref="DigestClient"/> and increments CSeq.</summary>
internal sealed class Phone(RegistrarTestKit kit, string username, string password, string toUser, string callId)
{
    private readonly DigestClient _client = new(username, password);

    public uint CSeq { get; set; }

    public string CallId { get; set; } = callId;

    /// <summary>Answer challenges with MD5 only (the SHA-256 challenge is hidden from the client).</summary>
    public bool Md5Only { get; init; }

    public IPEndPoint Source { get; init; } = RegistrarTestKit.Source;

    public string Transport { get; init; } = "UDP";

    /// <summary>The last challenge the registrar sent this phone.</summary>
    public SipResponse? LastChallenge { get; private set; }

    /// <summary>The request text for the next CSeq; <paramref name="headers"/> are extra header lines (Contact, Expires, ...).</summary>
    public SipRequest Build(params string[] headers)
    {
        CSeq++;
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"REGISTER sip:{RegistrarTestKit.Realm} SIP/2.0\r\n")
            .Append(CultureInfo.InvariantCulture, $"Via: SIP/2.0/UDP 198.51.100.7:40123;branch=z9hG4bK-reg-{CSeq}\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append(CultureInfo.InvariantCulture, $"To: <sip:{toUser}@{RegistrarTestKit.Realm}>\r\n")
            .Append(CultureInfo.InvariantCulture, $"From: <sip:{username}@{RegistrarTestKit.Realm}>;tag=ft{CSeq}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Call-ID: {CallId}\r\n")
            .Append(CultureInfo.InvariantCulture, $"CSeq: {CSeq} REGISTER\r\n");
        foreach (string header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("Content-Length: 0\r\n\r\n");
        return (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Sends without credentials (unless the client has a cached nonce) and answers one challenge.</summary>
    public async Task<SipResponse> RegisterAsync(params string[] headers)
    {
        SipRequest request = Build(headers);
        _client.TryAuthorize(request);
        SipResponse response = await kit.Registrar.HandleAsync(request, Source, Transport);
        if (response.StatusCode != 401)
        {
            return response;
        }

        LastChallenge = response;
        SipResponse challenge = response;
        if (Md5Only)
        {
            challenge = CopyWithout(response, value => DigestChallenge.Parse(value).Algorithm != "MD5");
        }

        DigestClientResult answer = _client.Respond(challenge, request);
        if (answer.Status != DigestClientStatus.Authorized)
        {
            return response;
        }

        SipRequest retry = Build(headers);
        answer.ApplyTo(retry);
        return await kit.Registrar.HandleAsync(retry, Source, Transport);
    }

    private static SipResponse CopyWithout(SipResponse response, Func<string, bool> dropChallenge)
    {
        var copy = new SipResponse(response.StatusCode, response.ReasonPhrase);
        foreach (SipHeader header in response.Headers)
        {
            if (header.Name == "WWW-Authenticate" && dropChallenge(header.Value))
            {
                continue;
            }

            copy.Headers.Add(header);
        }

        return copy;
    }
}
