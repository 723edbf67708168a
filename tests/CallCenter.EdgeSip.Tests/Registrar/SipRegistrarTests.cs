using System.Net;
using CallCenter.EdgeSip.Registrar;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using CallCenter.Sip.Headers;
using static CallCenter.EdgeSip.Tests.Registrar.RegistrarTestKit;

namespace CallCenter.EdgeSip.Tests.Registrar;

public sealed class SipRegistrarTests
{
    private const string AliceContact = "Contact: <sip:alice@198.51.100.7:40123;transport=udp>";
    private const string AliceContactUri = "sip:alice@198.51.100.7:40123;transport=udp";
    private const string DeskContact = "Contact: <sip:alice@192.0.2.10:5060>";
    private const string DeskContactUri = "sip:alice@192.0.2.10:5060";

    [Fact]
    public async Task HandleAsync_NoCredentials_Challenges401WithSha256AndMd5AndBindsNothing()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Registrar.HandleAsync(kit.Phone().Build(AliceContact), Source, "UDP");

        Assert.Equal(401, response.StatusCode);
        DigestChallenge[] challenges = response.Headers.GetAll("WWW-Authenticate").Select(DigestChallenge.Parse).ToArray();
        Assert.Equal(["SHA-256", "MD5"], challenges.Select(challenge => challenge.Algorithm));
        Assert.All(challenges, challenge => Assert.Equal(Realm, challenge.Realm));
        Assert.NotNull(response.To?.Tag);
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_AuthorizedSha256_Returns200WithContactExpiresAndBinds()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();

        SipResponse response = await phone.RegisterAsync(AliceContact);

        Assert.Equal(200, response.StatusCode);
        ContactHeader contact = Assert.Single(response.Contacts);
        Assert.Equal(AliceContactUri, contact.Address!.Uri.ToString());
        Assert.Equal(3600u, contact.Expires);
        Assert.Equal("Wed, 01 Jan 2025 12:00:00 GMT", response.Headers.GetFirst("Date"));
        Assert.NotNull(response.To?.Tag);
        Assert.Equal(phone.CallId, response.CallId);
        Assert.Equal(new CSeqHeader(2, "REGISTER"), response.CSeq);

        RegistrationBinding binding = Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Equal(
            new RegistrationBinding("alice", AliceAgent, AliceContactUri, Source, "UDP", Start.AddHours(1), phone.CallId, 2) { RegisteredAt = Start },
            binding);
        Assert.Equal(binding, kit.Registrar.FindByAgent(AliceAgent));
        Assert.Equal([(AliceAgent, (RegistrationBinding?)binding)], kit.Events);
    }

    [Fact]
    public async Task HandleAsync_ClientAnswersMd5_Returns200()
    {
        var kit = new RegistrarTestKit();
        var phone = new Phone(kit, "alice", "alice-secret", "alice", "md5-call") { Md5Only = true };

        SipResponse response = await phone.RegisterAsync(AliceContact);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("MD5", DigestChallenge.Parse(phone.LastChallenge!.Headers.GetAll("WWW-Authenticate")[1]).Algorithm);
        Assert.Single(kit.Registrar.Lookup("alice"));
    }

    [Fact]
    public async Task HandleAsync_UnknownUserAndWrongPassword_GetTheSameResponsesAsEachOther()
    {
        var kit = new RegistrarTestKit();
        Phone unknown = kit.Phone(username: "mallory", password: "guess");
        Phone wrongPassword = kit.Phone(username: "alice", password: "guess");

        SipResponse unknownFinal = await unknown.RegisterAsync("Contact: <sip:mallory@198.51.100.7>");
        SipResponse wrongFinal = await wrongPassword.RegisterAsync("Contact: <sip:alice@198.51.100.7>");

        // The first challenge (no credentials) and the answer to the wrong credentials have the same shape.
        AssertSameShape(unknown.LastChallenge!, wrongPassword.LastChallenge!);
        AssertSameShape(unknownFinal, wrongFinal);
        AssertSameShape(unknown.LastChallenge!, unknownFinal);
        Assert.Equal(401, unknownFinal.StatusCode);
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Theory]
    [InlineData("Expires: 30", AliceContact)]
    [InlineData(AliceContact + ";expires=59", "Expires: 3600")]
    [InlineData(AliceContact + ";expires=600", DeskContact, "Expires: 1")]
    public async Task HandleAsync_BelowMinExpires_Returns423WithMinExpires(params string[] headers)
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone().RegisterAsync(headers);

        Assert.Equal(423, response.StatusCode);
        Assert.Equal("Interval Too Brief", response.ReasonPhrase);
        Assert.Equal("60", response.Headers.GetFirst("Min-Expires"));
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_AboveMaxExpires_IsShortenedToMax()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone().RegisterAsync(AliceContact, "Expires: 86400");

        Assert.Equal(7200u, Assert.Single(response.Contacts).Expires);
        Assert.Equal(Start.AddSeconds(7200), Assert.Single(kit.Registrar.Lookup("alice")).ExpiresAt);
    }

    [Fact]
    public async Task HandleAsync_ContactExpiresParameter_OverridesExpiresHeader()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone().RegisterAsync(AliceContact + ";expires=300", DeskContact, "Expires: 900");

        Dictionary<string, uint?> expires = response.Contacts.ToDictionary(contact => contact.Address!.Uri.ToString(), contact => contact.Expires);
        Assert.Equal(300u, expires[AliceContactUri]);
        Assert.Equal(900u, expires[DeskContactUri]);
    }

    [Fact]
    public async Task ExpireDue_AfterExpiry_RemovesBindingAndRaisesBindingsChangedWithNull()
    {
        var kit = new RegistrarTestKit();
        await kit.Phone().RegisterAsync(AliceContact, "Expires: 120");
        kit.Events.Clear();

        kit.Time.Advance(TimeSpan.FromSeconds(119));
        kit.Registrar.ExpireDue();
        Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);

        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Null(kit.Registrar.FindByAgent(AliceAgent));
        kit.Registrar.ExpireDue();
        kit.Registrar.ExpireDue();

        Assert.Equal([(AliceAgent, (RegistrationBinding?)null)], kit.Events);
    }

    [Fact]
    public async Task ExpireDue_OneOfTwoBindingsExpires_ReportsTheRemainingOne()
    {
        var kit = new RegistrarTestKit();
        await kit.Phone().RegisterAsync(DeskContact + ";expires=3600", AliceContact + ";expires=120");
        kit.Events.Clear();

        kit.Time.Advance(TimeSpan.FromSeconds(120));
        kit.Registrar.ExpireDue();

        (string agent, RegistrationBinding? binding) = Assert.Single(kit.Events);
        Assert.Equal(AliceAgent, agent);
        Assert.Equal(DeskContactUri, binding?.ContactUri);
    }

    [Fact]
    public async Task HandleAsync_Refresh_ExtendsTheBindingAndRaisesBindingsChanged()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        await phone.RegisterAsync(AliceContact, "Expires: 120");
        kit.Time.Advance(TimeSpan.FromSeconds(100));

        SipResponse refresh = await phone.RegisterAsync(AliceContact, "Expires: 120");
        kit.Time.Advance(TimeSpan.FromSeconds(100));
        kit.Registrar.ExpireDue();

        Assert.Equal(200, refresh.StatusCode);
        Assert.Equal(120u, Assert.Single(refresh.Contacts).Expires);
        RegistrationBinding binding = Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Equal(Start.AddSeconds(220), binding.ExpiresAt);
        Assert.Equal(phone.CSeq, binding.CSeq);
        Assert.Equal(2, kit.Events.Count);
        Assert.Equal(binding, kit.Events[^1].Binding);
    }

    [Fact]
    public async Task HandleAsync_QueryWithoutContact_ListsRemainingExpiresAndChangesNothing()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        await phone.RegisterAsync(AliceContact, "Expires: 120");
        kit.Events.Clear();
        kit.Time.Advance(TimeSpan.FromSeconds(45.5));

        SipResponse response = await phone.RegisterAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(75u, Assert.Single(response.Contacts).Expires);
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_WildcardWithExpiresZero_RemovesAllBindings()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        await phone.RegisterAsync(AliceContact, DeskContact);
        // Another Call-ID (another device) is removed too.
        await kit.Phone(callId: "other-device").RegisterAsync("Contact: <sip:alice@203.0.113.9>");
        Assert.Equal(3, kit.Registrar.Lookup("alice").Count);
        kit.Events.Clear();

        SipResponse response = await phone.RegisterAsync("Contact: *", "Expires: 0");

        Assert.Equal(200, response.StatusCode);
        Assert.Empty(response.Contacts);
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Equal([(AliceAgent, (RegistrationBinding?)null)], kit.Events);
    }

    [Theory]
    [InlineData("Contact: *")]
    [InlineData("Contact: *", "Expires: 3600")]
    [InlineData("Contact: *", AliceContact, "Expires: 0")]
    [InlineData("Expires: soon", AliceContact)]
    [InlineData(AliceContact + ";expires=later")]
    public async Task HandleAsync_MalformedContactOrExpires_Returns400AndChangesNothing(params string[] headers)
    {
        var kit = new RegistrarTestKit();
        await kit.Phone(callId: "first").RegisterAsync(DeskContact);
        kit.Events.Clear();

        SipResponse response = await kit.Phone().RegisterAsync(headers);

        Assert.Equal(400, response.StatusCode);
        Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_ContactWithExpiresZero_RemovesOnlyThatContact()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        await phone.RegisterAsync(AliceContact, DeskContact);
        kit.Events.Clear();

        SipResponse response = await phone.RegisterAsync(AliceContact + ";expires=0");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([DeskContactUri], response.Contacts.Select(contact => contact.Address!.Uri.ToString()));
        Assert.Equal([DeskContactUri], kit.Registrar.Lookup("alice").Select(binding => binding.ContactUri));
        Assert.Equal(DeskContactUri, Assert.Single(kit.Events).Binding?.ContactUri);
    }

    [Fact]
    public async Task HandleAsync_ExpiresZeroForUnknownContact_ChangesNothing()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        await phone.RegisterAsync(DeskContact);
        kit.Events.Clear();

        SipResponse response = await phone.RegisterAsync(AliceContact, "Expires: 0");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([DeskContactUri], response.Contacts.Select(contact => contact.Address!.Uri.ToString()));
        Assert.Empty(kit.Events);
    }

    [Theory]
    [InlineData(5u)]
    [InlineData(10u)]
    public async Task HandleAsync_OlderOrEqualCSeqOnSameCallId_IsIgnored(uint staleCSeq)
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        phone.CSeq = 8;
        await phone.RegisterAsync(AliceContact, "Expires: 600"); // 9 challenged, 10 registers
        RegistrationBinding before = Assert.Single(kit.Registrar.Lookup("alice"));
        kit.Events.Clear();

        // A delayed copy of an older REGISTER that would remove the binding; the phone still holds the
        // nonce, so the request is sent with credentials and CSeq staleCSeq.
        phone.CSeq = staleCSeq - 1;
        SipResponse response = await phone.RegisterAsync(AliceContact + ";expires=0");

        Assert.Equal(500, response.StatusCode);
        Assert.Equal(before, Assert.Single(kit.Registrar.Lookup("alice")));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_LowerCSeqOnAnotherCallId_ReplacesTheBinding()
    {
        var kit = new RegistrarTestKit();
        Phone first = kit.Phone(callId: "before-reboot");
        first.CSeq = 100;
        await first.RegisterAsync(AliceContact);

        SipResponse response = await kit.Phone(callId: "after-reboot").RegisterAsync(AliceContact, "Expires: 300");

        Assert.Equal(200, response.StatusCode);
        RegistrationBinding binding = Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Equal(("after-reboot", 2u, Start.AddSeconds(300)), (binding.CallId, binding.CSeq, binding.ExpiresAt));
    }

    [Fact]
    public async Task HandleAsync_WildcardWithOlderCSeqOnSameCallId_IsIgnored()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();
        phone.CSeq = 20;
        await phone.RegisterAsync(AliceContact);
        kit.Events.Clear();

        phone.CSeq = 2;
        SipResponse response = await phone.RegisterAsync("Contact: *", "Expires: 0");

        Assert.Equal(500, response.StatusCode);
        Assert.Single(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_AuthenticatedUserIsNotTheToUser_Returns403()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone(username: "alice", toUser: "bob").RegisterAsync("Contact: <sip:bob@198.51.100.7>");

        Assert.Equal(403, response.StatusCode);
        Assert.Empty(kit.Registrar.Lookup("bob"));
        Assert.Empty(kit.Registrar.Lookup("alice"));
        Assert.Empty(kit.Events);
    }

    [Fact]
    public async Task HandleAsync_UnknownToUserWithOtherUsersCredentials_Returns403()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone(username: "alice", toUser: "mallory").RegisterAsync(AliceContact);

        Assert.Equal(403, response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_MultipleContacts_AllAreBoundAndListed()
    {
        var kit = new RegistrarTestKit();
        Phone phone = kit.Phone();

        SipResponse response = await phone.RegisterAsync(AliceContact, DeskContact + ";q=0.5", "Expires: 600");

        Assert.Equal(
            [DeskContactUri, AliceContactUri],
            response.Contacts.Select(contact => contact.Address!.Uri.ToString()).Order(StringComparer.Ordinal));
        Assert.All(response.Contacts, contact => Assert.Equal(600u, contact.Expires));
        Assert.Equal(2, kit.Registrar.Lookup("alice").Count);
        Assert.Single(kit.Events);
    }

    [Fact]
    public async Task FindByAgent_TwoDevices_ReturnsTheMostRecentlyRegistered()
    {
        var kit = new RegistrarTestKit();
        Phone softphone = kit.Phone(callId: "softphone");
        Phone desk = kit.Phone(callId: "desk");
        await softphone.RegisterAsync(AliceContact);
        kit.Time.Advance(TimeSpan.FromSeconds(10));
        await desk.RegisterAsync(DeskContact);
        Assert.Equal(DeskContactUri, kit.Registrar.FindByAgent(AliceAgent)?.ContactUri);

        kit.Time.Advance(TimeSpan.FromSeconds(10));
        await softphone.RegisterAsync(AliceContact);

        Assert.Equal(AliceContactUri, kit.Registrar.FindByAgent(AliceAgent)?.ContactUri);
        Assert.Equal([AliceContactUri, DeskContactUri], kit.Registrar.Lookup("alice").Select(binding => binding.ContactUri));
        Assert.Null(kit.Registrar.FindByAgent(BobAgent));
        Assert.Null(kit.Registrar.FindByAgent("nobody"));
        Assert.Empty(kit.Registrar.Lookup("nobody"));
    }

    [Fact]
    public async Task HandleAsync_SameContactWithOtherHostCase_UpdatesTheSameBinding()
    {
        var kit = new RegistrarTestKit();
        await kit.Phone(callId: "a").RegisterAsync("Contact: <sip:alice@PC.example.com>");

        await kit.Phone(callId: "b").RegisterAsync("Contact: <sip:alice@pc.EXAMPLE.com>");

        Assert.Equal("b", Assert.Single(kit.Registrar.Lookup("alice")).CallId);
    }

    [Fact]
    public async Task HandleAsync_MoreBindingsThanTheLimit_EvictsTheLeastRecentlyRegistered()
    {
        var kit = new RegistrarTestKit(new RegistrarOptions { Realm = Realm, MaxBindingsPerUser = 2 });
        Phone one = kit.Phone(callId: "one");
        await one.RegisterAsync("Contact: <sip:alice@192.0.2.1>");
        await kit.Phone(callId: "two").RegisterAsync("Contact: <sip:alice@192.0.2.2>");
        await one.RegisterAsync("Contact: <sip:alice@192.0.2.1>");

        SipResponse response = await kit.Phone(callId: "three").RegisterAsync("Contact: <sip:alice@192.0.2.3>");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(
            ["sip:alice@192.0.2.3", "sip:alice@192.0.2.1"],
            kit.Registrar.Lookup("alice").Select(binding => binding.ContactUri));
    }

    [Fact]
    public async Task HandleAsync_OneRequestWithMoreContactsThanTheLimit_Returns403()
    {
        var kit = new RegistrarTestKit(new RegistrarOptions { Realm = Realm, MaxBindingsPerUser = 2 });

        SipResponse response = await kit.Phone().RegisterAsync(
            "Contact: <sip:alice@192.0.2.1>", "Contact: <sip:alice@192.0.2.2>", "Contact: <sip:alice@192.0.2.3>");

        Assert.Equal(403, response.StatusCode);
        Assert.Empty(kit.Registrar.Lookup("alice"));
    }

    [Fact]
    public async Task HandleAsync_RequireHeader_Returns420WithUnsupported()
    {
        var kit = new RegistrarTestKit();

        SipResponse response = await kit.Phone().RegisterAsync(AliceContact, "Require: gruu");

        Assert.Equal(420, response.StatusCode);
        Assert.Equal("gruu", response.Headers.GetFirst("Unsupported"));
    }

    [Fact]
    public async Task HandleAsync_SourceAndTransport_AreStoredInTheBinding()
    {
        var kit = new RegistrarTestKit();
        var source = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 5061);

        await new Phone(kit, "bob", "bob-secret", "bob", "tcp-call") { Source = source, Transport = "TCP" }
            .RegisterAsync("Contact: <sip:bob@[2001:db8::7]:5061;transport=tcp>");

        RegistrationBinding binding = Assert.Single(kit.Registrar.Lookup("bob"));
        Assert.Equal((source, "TCP", BobAgent), (binding.Source, binding.Transport, binding.AgentId));
        Assert.Equal("sip:bob@[2001:db8::7]:5061;transport=tcp", binding.ContactUri);
    }

    [Fact]
    public async Task HandleAsync_SharedNonceSecret_AcceptsAnswersToAnotherInstancesChallenge()
    {
        byte[] secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var first = new RegistrarTestKit(nonceSecret: secret);
        var second = new RegistrarTestKit(nonceSecret: secret);
        Phone phone = first.Phone();
        SipRequest initial = phone.Build(AliceContact);
        SipResponse challenge = await first.Registrar.HandleAsync(initial, Source, "UDP");
        SipRequest retry = phone.Build(AliceContact);
        new DigestClient("alice", "alice-secret").Respond(challenge, initial).ApplyTo(retry);

        SipResponse response = await second.Registrar.HandleAsync(retry, Source, "UDP");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_NotRegister_Throws()
    {
        var kit = new RegistrarTestKit();
        var options = new SipRequest("OPTIONS", CallCenter.Sip.Uris.SipUri.Parse("sip:example.com"));

        await Assert.ThrowsAsync<ArgumentException>(async () => await kit.Registrar.HandleAsync(options, Source, "UDP"));
    }

    [Fact]
    public void Constructor_InvalidConfiguration_Throws()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        SipAccount alice = new("alice", "x", "a1");
        Assert.Throws<ArgumentException>(() => new SipRegistrar(new RegistrarOptions { Realm = Realm }, [alice, alice with { AgentId = "a2" }], time));
        Assert.Throws<ArgumentException>(() => new SipRegistrar(new RegistrarOptions { Realm = Realm }, [new SipAccount("", "x", "a1")], time));
        Assert.Throws<ArgumentException>(() => new SipRegistrar(new RegistrarOptions { Realm = "" }, [alice], time));
        Assert.Throws<ArgumentException>(() => new SipRegistrar(
            new RegistrarOptions { Realm = Realm, MinExpires = TimeSpan.FromHours(2) }, [alice], time));
        Assert.Throws<ArgumentException>(() => new SipRegistrar(new RegistrarOptions { Realm = Realm, MaxBindingsPerUser = 0 }, [alice], time));
        Assert.Throws<ArgumentException>(() => new SipRegistrar(new RegistrarOptions { Realm = Realm }, [alice], time, new byte[16]));
    }

    [Fact]
    public void SipAccount_ToString_HidesThePassword()
    {
        Assert.DoesNotContain("hunter2", new SipAccount("alice", "hunter2", "a1").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ConcurrentRegistrationsAndExpiry_LastEventPerAgentMatchesFinalState()
    {
        var kit = new RegistrarTestKit();
        var last = new Dictionary<string, RegistrationBinding?>();
        kit.Registrar.BindingsChanged += (agent, binding) =>
        {
            lock (last)
            {
                last[agent] = binding;
            }
        };

        Task[] workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            string user = worker % 2 == 0 ? "alice" : "bob";
            Phone phone = kit.Phone(username: user, callId: $"worker-{worker}");
            for (int i = 0; i < 25; i++)
            {
                string expires = i % 5 == 4 ? ";expires=0" : string.Empty;
                SipResponse response = await phone.RegisterAsync($"Contact: <sip:{user}@192.0.2.{worker}:{5060 + (i % 3)}>{expires}");
                Assert.Equal(200, response.StatusCode);
                if (i % 7 == 0)
                {
                    kit.Registrar.ExpireDue();
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(kit.Registrar.FindByAgent(AliceAgent), last[AliceAgent]);
        Assert.Equal(kit.Registrar.FindByAgent(BobAgent), last[BobAgent]);
        Assert.InRange(kit.Registrar.Lookup("alice").Count, 1, 5);
    }

    [Fact]
    public async Task BindingsChanged_HandlerCallingBackIntoTheRegistrar_DoesNotDeadlock()
    {
        var kit = new RegistrarTestKit();
        var seen = new List<int>();
        kit.Registrar.BindingsChanged += (agent, _) =>
        {
            seen.Add(kit.Registrar.Lookup("alice").Count);
            kit.Registrar.ExpireDue();
        };
        await kit.Phone().RegisterAsync(AliceContact, "Expires: 60");
        kit.Time.Advance(TimeSpan.FromSeconds(60));

        kit.Registrar.ExpireDue();

        Assert.Equal([1, 0], seen);
    }

    private static void AssertSameShape(SipResponse expected, SipResponse actual)
    {
        Assert.Equal((expected.StatusCode, expected.ReasonPhrase), (actual.StatusCode, actual.ReasonPhrase));
        Assert.Equal(
            expected.Headers.Select(header => header.Name),
            actual.Headers.Select(header => header.Name));
        static object Shape(string value)
        {
            DigestChallenge challenge = DigestChallenge.Parse(value);
            return (challenge.Realm, challenge.Algorithm, string.Join(",", challenge.QopOptions), challenge.Opaque, challenge.Stale,
                challenge.Nonce.Length, challenge.Domain, challenge.ExtensionParameters.Count);
        }

        Assert.Equal(
            expected.Headers.GetAll("WWW-Authenticate").Select(Shape),
            actual.Headers.GetAll("WWW-Authenticate").Select(Shape));
    }
}
