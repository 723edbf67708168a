using System.Net;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Stun;
using CallCenter.WebRtc.Tests.Ice;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Stun;

/// <summary>Random and mutated inputs with a fixed seed: the parser and the agent return a reason, never throw.</summary>
public sealed class StunFuzzTests
{
    private const int Seed = 5769;
    private const int CasesPerSource = 3000;
    private static readonly IPEndPoint Source = new(IPAddress.Parse("192.0.2.50"), 5000);
    private static readonly IceCredentials Local = new("edge", "edgepasswordedgepassword");

    public static TheoryData<string> Sources => ["random", "request", "ipv4", "ipv6", "longterm", "browser-check"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Parse_FuzzedInput_NeverThrows(string source)
    {
        // string.GetHashCode is randomized per process, so the seed comes from the characters themselves.
        var random = new Random(Seed + source.Sum(c => c));
        var seed = SeedMessage(source);
        var key = StunIntegrity.ShortTermKey(Rfc5769Vectors.ShortTermPassword);
        using var agent = new IceLiteAgent(Local, new FakeTimeProvider());
        var failures = new HashSet<StunParseFailure>();

        for (var i = 0; i < CasesPerSource; i++)
        {
            var input = seed is null ? RandomBytes(random) : Mutate(random, seed);

            var plain = StunParser.Parse(input);
            var keyed = StunParser.Parse(input, key);
            var answer = agent.HandleStun(input, Source);

            failures.Add(plain.Failure);
            Assert.True(plain.Succeeded || plain.Failure == StunParseFailure.UnknownComprehensionRequired || plain.Message is null);
            Assert.True(keyed.Message is not null || keyed.Failure != StunParseFailure.None);
            Assert.True(answer.Response is null || StunParser.Parse(answer.Response).Failure == StunParseFailure.None);
        }

        // The mutations reach past the first checks; a fuzzer stuck on "Truncated" would prove little.
        Assert.True(failures.Count >= 3, $"only {string.Join(", ", failures)} were reached");
    }

    private static byte[]? SeedMessage(string source) => source switch
    {
        "request" => Rfc5769Vectors.Request,
        "ipv4" => Rfc5769Vectors.ResponseIPv4,
        "ipv6" => Rfc5769Vectors.ResponseIPv6,
        "longterm" => Rfc5769Vectors.LongTermRequest,
        "browser-check" => BrowserChecks.Check(Local, useCandidate: true, username: "edge:brws"),
        _ => null,
    };

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        if (bytes.Length >= 8 && random.Next(2) == 0)
        {
            // Half of them get a STUN-looking header, so the attribute loop is reached too.
            bytes[0] &= 0x01;
            bytes[2] = 0;
            bytes[3] = (byte)((bytes.Length - StunWire.HeaderLength) & 0xFC);
            bytes[4] = 0x21;
            bytes[5] = 0x12;
            bytes[6] = 0xA4;
            bytes[7] = 0x42;
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            case 3:
                // An attribute length, somewhere after the header, set to anything.
                var at = StunWire.HeaderLength + (4 * random.Next((bytes.Length - StunWire.HeaderLength) / 4)) + 2;
                if (at + 1 < bytes.Length)
                {
                    bytes[at] = (byte)random.Next(256);
                    bytes[at + 1] = (byte)random.Next(256);
                }

                break;
            case 4:
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                bytes = [.. bytes, .. extra];
                break;
            default:
                bytes[3] = (byte)random.Next(256);
                break;
        }

        return bytes;
    }
}
