using System.Text;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;
using CallCenter.Sip.Validation;

namespace CallCenter.Sip.Tests;

/// <summary>RFC 4475 torture messages, one test case per manifest row.</summary>
public sealed class TortureCorpusTests
{
    // What a receiving endpoint ends up doing with each message, following the manifest summary.
    private static readonly Dictionary<string, (SipValidationAction Action, int Status)> ExpectedOutcomes = new()
    {
        ["intmeth"] = (SipValidationAction.Reject, 501),
        ["esc02"] = (SipValidationAction.Reject, 501),
        ["badbranch"] = (SipValidationAction.Reject, 400),
        ["insuf"] = (SipValidationAction.Reject, 400),
        ["unkscm"] = (SipValidationAction.Reject, 416),
        ["novelsc"] = (SipValidationAction.Reject, 416),
        ["unksm2"] = (SipValidationAction.Reject, 400),
        ["bext01"] = (SipValidationAction.Reject, 420),
        ["invut"] = (SipValidationAction.Reject, 415),
        ["multi01"] = (SipValidationAction.Reject, 400),
        ["bcast"] = (SipValidationAction.Drop, 0),
        ["sdp01"] = (SipValidationAction.Reject, 406),
        ["badvers"] = (SipValidationAction.Reject, 505),
        ["mismatch02"] = (SipValidationAction.Reject, 501),
        ["scalarlg"] = (SipValidationAction.Drop, 0),
        ["bigcode"] = (SipValidationAction.Drop, 0),
    };

    public static IEnumerable<object[]> Rows => TortureCorpus.ManifestRows();

    [Fact]
    public void Manifest_AllFortyNineMessages_ArePresent()
    {
        Assert.Equal(49, TortureCorpus.Cases.Count);
        Assert.Equal(49, TortureCorpus.Cases.Select(item => item.Name).Distinct().Count());
        foreach (TortureCase item in TortureCorpus.Cases)
        {
            Assert.True(File.Exists(Path.Combine(TortureCorpus.Directory, item.Name + ".dat")), item.Name);
        }

        Assert.Equal(19, TortureCorpus.Cases.Count(item => item.Expected == "valid"));
        Assert.Equal(20, TortureCorpus.Cases.Count(item => item.Expected == "invalid"));
        Assert.Equal(10, TortureCorpus.Cases.Count(item => item.Expected == "valid-but-reject"));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_TortureMessage_BehavesAsManifestExpects(string name)
    {
        TortureCase item = TortureCorpus.Get(name);
        byte[] bytes = item.ReadBytes();
        var validator = new SipMessageValidator();

        SipValidationResult outcome;
        if (item.Expected == "invalid")
        {
            SipParseException? error = null;
            SipMessage? message = null;
            Exception? unexpected = Record.Exception(() =>
            {
                if (!SipMessageParser.TryParse(bytes, out message, out error))
                {
                    Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
                }
            });
            Assert.Null(unexpected);
            outcome = message is null ? SipValidationResult.FromParseFailure(error!) : validator.Validate(message);
            Assert.NotEqual(SipValidationAction.Accept, outcome.Action);
        }
        else
        {
            SipMessage message = SipMessageParser.Parse(bytes);
            CheckKnownValues(name, message, bytes);
            if (item.Expected == "valid")
            {
                MessageAssert.RoundTrip(message);
            }

            outcome = validator.Validate(message);
        }

        (SipValidationAction action, int status) = ExpectedOutcomes.TryGetValue(name, out var expected)
            ? expected
            : item.Expected == "invalid" ? (SipValidationAction.Reject, 400) : (SipValidationAction.Accept, 0);
        Assert.True(
            action == outcome.Action && status == outcome.StatusCode,
            $"{name}: expected {action} {status}, got {outcome.Action} {outcome.StatusCode} ({outcome.Reason})");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_TortureMessage_ValidOnesKeepKeyFieldsAcrossRoundTrip(string name)
    {
        TortureCase item = TortureCorpus.Get(name);
        if (item.Expected == "invalid")
        {
            return;
        }

        SipMessage original = SipMessageParser.Parse(item.ReadBytes());
        SipMessage reparsed = SipMessageParser.Parse(original.ToBytes());
        MessageAssert.Equivalent(original, reparsed);
    }

    private static void CheckKnownValues(string name, SipMessage message, byte[] bytes)
    {
        // Fields every valid message must expose without throwing.
        _ = message.Vias;
        _ = message.Contacts;
        _ = message.Routes;
        _ = message.RecordRoutes;
        if (message.ContentLength is int length)
        {
            Assert.Equal(length, message.Body.Length);
        }

        switch (name)
        {
            case "wsinv":
                Assert.Equal("1918181833n", message.To!.Tag);
                Assert.Equal("98asjd8", message.From!.Tag);
                Assert.Equal("J Rosenberg \\\"", message.From.DisplayName);
                Assert.Equal(68, message.MaxForwards);
                Assert.Equal(new CSeqHeader(9, "INVITE"), message.CSeq);
                Assert.Equal(3, message.Vias.Count);
                Assert.Equal("390skdjuw", message.Vias[0].Branch);
                Assert.Equal("z9hG4bK9ikj8", message.Vias[1].Branch);
                Assert.Equal("TCP", message.Vias[1].Transport);
                Assert.Equal("z9hG4bK30239", message.Vias[2].Branch);
                Assert.Equal(string.Empty, message.Headers.GetFirst("Subject"));
                Assert.Equal("newfangled value continued newfangled value", message.Headers.GetFirst("NewFangledHeader"));
                Assert.Equal(";;,,;;,;", message.Headers.GetFirst("UnknownHeaderWithUnusualValue"));
                ContactHeader contact = Assert.Single(message.Contacts);
                Assert.Equal("Quoted string \"\"", contact.Address!.DisplayName);
                Assert.Equal(0.33, contact.Q);
                Assert.Equal("newvalue", contact.Address.Parameters.Get("newparam"));
                Assert.True(Assert.IsType<SipUri>(Assert.Single(message.Routes).Uri).Parameters.Contains("lr"));
                Assert.Equal(150, message.Body.Length);
                break;
            case "intmeth":
                var intmeth = Assert.IsType<SipRequest>(message);
                Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", intmeth.Method);
                var uri = Assert.IsType<SipUri>(intmeth.RequestUri);
                Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", uri.User);
                Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", uri.Password);
                Assert.Equal("BEL:\a NUL:\0 DEL:\x7F", message.To!.DisplayName);
                Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", message.CallId);
                Assert.Equal("token1~` token2'+_ token3*%!.-", message.From!.DisplayName);
                Assert.Equal("_token~1'+`*%!-.", message.From.Tag);
                break;
            case "esc01":
                Assert.Equal("sips:user@example.com", Assert.IsType<SipUri>(((SipRequest)message).RequestUri).User);
                Assert.Equal("user", Assert.IsType<SipUri>(message.To!.Uri).User);
                Assert.Equal("I have spaces", Assert.IsType<SipUri>(message.From!.Uri).User);
                var contactUri = Assert.IsType<SipUri>(Assert.Single(message.Contacts).Address!.Uri);
                Assert.Equal("caller", contactUri.User);
                Assert.True(contactUri.Parameters.Contains("lr"));
                Assert.Equal("value%41", contactUri.Parameters.Get("name"));
                break;
            case "escnull":
                Assert.Equal("null-\0-null", Assert.IsType<SipUri>(message.To!.Uri).User);
                Assert.Equal(["\0", "\0\0"], message.Contacts.Select(c => Assert.IsType<SipUri>(c.Address!.Uri).User!));
                break;
            case "esc02":
                Assert.Equal("RE%47IST%45R", ((SipRequest)message).Method);
                Assert.Equal(2, message.Contacts.Count);
                Assert.Equal("%Z%45", message.To!.DisplayName);
                Assert.Equal("<sip:alias2@host2.example.com>", message.Headers.GetFirst("C%6Fntact"));
                break;
            case "lwsdisp":
                Assert.Equal("caller", message.From!.DisplayName);
                break;
            case "longreq":
                Assert.Equal(34, message.Vias.Count);
                Assert.Equal("sip33.example.com", message.Vias[0].Host);
                Assert.Equal("192.0.2.5", message.Vias[^1].Received);
                Assert.Equal("very" + string.Concat(Enumerable.Repeat("long", 50)) + "branchvalue", message.Vias[^1].Branch);
                Assert.Equal(3515, bytes.Length);
                break;
            case "dblreq":
                Assert.Equal("REGISTER", ((SipRequest)message).Method);
                Assert.Empty(message.Body);
                break;
            case "semiuri":
                Assert.Equal("user;par=u@example.net", Assert.IsType<SipUri>(((SipRequest)message).RequestUri).User);
                Assert.Equal(6, message.Headers.CountOf("Accept"));
                break;
            case "transports":
                Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], message.Vias.Select(v => v.Transport));
                Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", message.CallId);
                break;
            case "mpart01":
                Assert.Equal(553, message.Body.Length);
                Assert.Equal("multipart/mixed", message.ContentType!.MimeType);
                Assert.Equal("7a9cbec02ceef655", message.ContentType.Parameters.Get("boundary"));
                Assert.True(message.TopVia!.HasRPort);
                break;
            case "unreason":
                Assert.StartsWith("= 2**3 * 5**2 но сто", ((SipResponse)message).ReasonPhrase, StringComparison.Ordinal);
                break;
            case "noreason":
                Assert.Equal(string.Empty, Assert.IsType<SipResponse>(message).ReasonPhrase);
                Assert.Equal(100, ((SipResponse)message).StatusCode);
                break;
            case "insuf":
                Assert.Null(message.CallId);
                Assert.Null(message.From);
                Assert.Null(message.To);
                break;
            case "unkscm":
                Assert.Equal("nobodyknowsthisscheme:totallyopaquecontent", ((SipRequest)message).RequestUri.ToString());
                break;
            case "unksm2":
                Assert.IsType<OpaqueUri>(message.To!.Uri);
                Assert.Equal("http://www.example.com", message.From!.Uri.ToString());
                break;
            case "bext01":
                Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], message.GetOptionTags("Require"));
                break;
            case "regaut01":
                Assert.Equal("NoOneKnowsThisScheme opaque-data=here", message.Headers.GetFirst("Authorization"));
                break;
            case "multi01":
                Assert.Equal(2, message.Headers.CountOf("Call-ID"));
                break;
            case "bcast":
                Assert.Equal("255.255.255.255", message.Vias[1].Host);
                break;
            case "zeromf":
                Assert.Equal(0, message.MaxForwards);
                break;
            case "cparam01":
                NameAddress bare = Assert.Single(message.Contacts).Address!;
                Assert.True(bare.Parameters.Contains("unknownparam"));
                Assert.Empty(Assert.IsType<SipUri>(bare.Uri).Parameters);
                break;
            case "cparam02":
                NameAddress bracketed = Assert.Single(message.Contacts).Address!;
                Assert.Empty(bracketed.Parameters);
                Assert.True(Assert.IsType<SipUri>(bracketed.Uri).Parameters.Contains("unknownparam"));
                break;
            case "regescrt":
                var regescrtUri = Assert.IsType<SipUri>(Assert.Single(message.Contacts).Address!.Uri);
                Assert.Equal("<sip:sip.example.com>", regescrtUri.Headers.Get("Route"));
                break;
            case "inv2543":
                Assert.Null(message.ContentLength);
                Assert.Null(message.TopVia!.Branch);
                Assert.Null(message.From!.Tag);
                Assert.Null(message.MaxForwards);
                Assert.EndsWith("m=audio 49217 RTP/AVP 0\r\n", Encoding.ASCII.GetString(message.Body), StringComparison.Ordinal);
                break;
            default:
                break;
        }
    }
}
