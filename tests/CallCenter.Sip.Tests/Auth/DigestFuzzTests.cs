using System.Text;
using CallCenter.Sip.Auth;
using static CallCenter.Sip.Tests.Auth.AuthTestMessages;

namespace CallCenter.Sip.Tests.Auth;

/// <summary>Seeded random and mutated header values: parsing throws nothing but SipParseException.</summary>
public sealed class DigestFuzzTests
{
    private const int Iterations = 20_000;
    private const string Interesting = "\",=\\ \t\r\n\0;:/@<>é\u00ff\u2028\ud800aA0";

    [Fact]
    public async Task Parse_TwentyThousandRandomAndMutatedValues_OnlyThrowsSipParseException()
    {
        (DigestAuthenticator authenticator, _) = Authenticator();
        SipRequest first = Register();
        SipResponse challengeResponse = (await authenticator.VerifyAsync(first)).Response!;
        string validCredentials = new DigestClient(Username, Password).Respond(challengeResponse, first).Headers[0].Value;
        string[] seeds =
        [
            challengeResponse.Headers.GetFirst("WWW-Authenticate")!,
            validCredentials,
            "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth,auth-int\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5",
            "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
            "Digest realm=\"a \\\"b\\\" c\", nonce=\"x\", ext=tok, other=\"q\\\\\"",
        ];
        var random = new Random(2617);
        int parsed = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            string value = random.Next(4) == 0 ? RandomValue(random) : Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                parsed += ParseAndRoundTrip(value);
                await ExerciseAuthenticatorAndClientAsync(authenticator, value);
            }
            catch (Exception exception)
            {
                Assert.Fail($"iteration {iteration}: {exception.GetType().Name}: {exception.Message}\n" +
                    Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "\n" + exception.StackTrace);
            }
        }

        Assert.True(parsed > 1000, $"only {parsed} values parsed; the mutations are too destructive to be useful");
    }

    private static int ParseAndRoundTrip(string value)
    {
        int parsed = 0;
        try
        {
            DigestChallenge challenge = DigestChallenge.Parse(value);
            string text = challenge.ToString();
            Assert.Equal(text, DigestChallenge.Parse(text).ToString());
            parsed++;
        }
        catch (SipParseException)
        {
        }

        try
        {
            DigestCredentials credentials = DigestCredentials.Parse(value);
            string text = credentials.ToString();
            Assert.Equal(text, DigestCredentials.Parse(text).ToString());
            parsed++;
        }
        catch (SipParseException)
        {
        }

        Assert.Equal(DigestChallenge.TryParse(value, out _), DigestChallenge.TryParse(value, out _));
        return parsed;
    }

    private static async Task ExerciseAuthenticatorAndClientAsync(DigestAuthenticator authenticator, string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return;
        }

        SipRequest request = Register(cseq: 2);
        request.Headers.Add("Authorization", value);
        DigestVerificationResult result = await authenticator.VerifyAsync(request);
        Assert.True(result.IsAuthenticated || result.Response is not null);

        SipResponse response = AuthResponses.CreateResponse(Register(), 401, "Unauthorized");
        response.Headers.Add("WWW-Authenticate", value);
        SipRequest retry = Register(cseq: 3);
        new DigestClient(Username, Password).Respond(response, request).ApplyTo(retry);
    }

    private static string RandomValue(Random random)
    {
        var builder = new StringBuilder(random.NextDouble() < 0.5 ? "Digest " : string.Empty);
        int length = random.Next(0, 80);
        for (int i = 0; i < length; i++)
        {
            builder.Append(random.Next(3) == 0 ? Interesting[random.Next(Interesting.Length)] : (char)random.Next(0x20, 0x7F));
        }

        return builder.ToString();
    }

    private static string Mutate(string seed, Random random)
    {
        var builder = new StringBuilder(seed);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations && builder.Length > 0; m++)
        {
            int position = random.Next(builder.Length);
            switch (random.Next(6))
            {
                case 0:
                    builder[position] = (char)(builder[position] ^ (1 << random.Next(7)));
                    break;
                case 1:
                    builder.Length = position;
                    break;
                case 2:
                    int length = Math.Min(random.Next(1, 24), builder.Length - position);
                    builder.Insert(random.Next(builder.Length), builder.ToString(position, length));
                    break;
                case 3:
                    builder.Insert(position, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 4:
                    builder[position] = Interesting[random.Next(Interesting.Length)];
                    break;
                default:
                    builder.Remove(position, Math.Min(random.Next(1, 8), builder.Length - position));
                    break;
            }
        }

        return builder.ToString();
    }
}
