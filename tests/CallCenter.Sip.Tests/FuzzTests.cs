using System.Diagnostics;
using CallCenter.Sip.Validation;

namespace CallCenter.Sip.Tests;

/// <summary>Seeded mutations of the valid corpus: the parser either succeeds or throws SipParseException.</summary>
public sealed class FuzzTests
{
    private const int Iterations = 100_000;
    private static readonly byte[] InterestingBytes = "\r\n:,\"<>\0;=@ \t%\\"u8.ToArray();

    [Fact]
    public void Parse_HundredThousandMutatedMessages_OnlyThrowsSipParseException()
    {
        List<byte[]> seeds = TortureCorpus.Cases
            .Where(item => item.Expected != "invalid")
            .Select(item => item.ReadBytes())
            .ToList();
        var random = new Random(4475);
        var validator = new SipMessageValidator();
        var stopwatch = Stopwatch.StartNew();
        int parsed = 0;
        int rejected = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Count)], random);
            SipMessage? message = null;
            try
            {
                message = SipMessageParser.Parse(input);
                parsed++;
            }
            catch (SipParseException exception)
            {
                Assert.InRange(exception.SuggestedStatusCode, 400, 599);
                rejected++;
            }
            catch (Exception exception)
            {
                Assert.Fail($"iteration {iteration}: {exception.GetType().Name}: {exception.Message}\n" +
                    Convert.ToBase64String(input) + "\n" + exception.StackTrace);
            }

            if (message is not null)
            {
                // Whatever parsed must serialize, reparse and validate without surprises.
                try
                {
                    _ = validator.Validate(message);
                    _ = SipMessageParser.Parse(message.ToBytes());
                }
                catch (Exception exception)
                {
                    Assert.Fail($"iteration {iteration}: after parse {exception.GetType().Name}: {exception.Message}\n" +
                        Convert.ToBase64String(input) + "\n" + exception.StackTrace);
                }
            }
        }

        Assert.Equal(Iterations, parsed + rejected);
        Assert.True(parsed > 1000, $"only {parsed} mutations parsed; the mutations are too destructive to be useful");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"fuzzing took {stopwatch.Elapsed}");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int position = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
                case 2:
                    int length = Math.Min(random.Next(1, 64), bytes.Count - position);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(position, length));
                    break;
                case 3:
                    bytes.Insert(position, InterestingBytes[random.Next(InterestingBytes.Length)]);
                    break;
                case 4:
                    bytes[position] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                default:
                    ShuffleTwoLines(bytes, random);
                    break;
            }
        }

        return bytes.ToArray();
    }

    private static void ShuffleTwoLines(List<byte> bytes, Random random)
    {
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < bytes.Count - 1; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        if (lineStarts.Count < 3)
        {
            return;
        }

        int first = random.Next(lineStarts.Count - 1);
        int second = random.Next(lineStarts.Count - 1);
        if (first == second)
        {
            return;
        }

        (first, second) = (Math.Min(first, second), Math.Max(first, second));
        List<byte> firstLine = bytes.GetRange(lineStarts[first], lineStarts[first + 1] - lineStarts[first]);
        List<byte> secondLine = bytes.GetRange(lineStarts[second], lineStarts[second + 1] - lineStarts[second]);
        bytes.RemoveRange(lineStarts[second], secondLine.Count);
        bytes.InsertRange(lineStarts[second], firstLine);
        bytes.RemoveRange(lineStarts[first], firstLine.Count);
        bytes.InsertRange(lineStarts[first], secondLine);
    }
}
