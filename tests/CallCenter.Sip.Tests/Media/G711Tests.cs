using CallCenter.Sip.Media;

namespace CallCenter.Sip.Tests.Media;

public sealed class G711Tests
{
    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x00, -32124)]
    [InlineData(0x80, 32124)]
    [InlineData(0xFE, 8)]
    [InlineData(0x7E, -8)]
    [InlineData(0xEF, 132)]
    public void MuLawDecode_KnownCodes_GiveG711Values(int code, int expected)
    {
        Assert.Equal(expected, G711.MuLawDecode((byte)code));
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    [InlineData(0xC5, 264)]
    public void ALawDecode_KnownCodes_GiveG711Values(int code, int expected)
    {
        Assert.Equal(expected, G711.ALawDecode((byte)code));
    }

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(8, 0xFE)]
    [InlineData(-8, 0x7E)]
    public void MuLawEncode_KnownSamples_GiveCodes(int sample, int expected)
    {
        Assert.Equal((byte)expected, G711.MuLawEncode((short)sample));
    }

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(8, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    public void ALawEncode_KnownSamples_GiveCodes(int sample, int expected)
    {
        Assert.Equal((byte)expected, G711.ALawEncode((short)sample));
    }

    [Fact]
    public void MuLaw_All256Codes_RoundTripExceptNegativeZero()
    {
        for (int code = 0; code < 256; code++)
        {
            byte back = G711.MuLawEncode(G711.MuLawDecode((byte)code));
            Assert.Equal(code == 0x7F ? 0xFF : code, back);
        }
    }

    [Fact]
    public void ALaw_All256Codes_RoundTrip()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal(code, G711.ALawEncode(G711.ALawDecode((byte)code)));
        }
    }

    [Fact]
    public void Decode_PositiveCodes_AreStrictlyMonotonic()
    {
        // μ-law: 0xFF (smallest positive) down to 0x80 (largest); A-law positive codes in segment/step order.
        short[] mu = Enumerable.Range(0x80, 128).Select(code => G711.MuLawDecode((byte)(0xFF - (code - 0x80)))).ToArray();
        short[] a = Enumerable.Range(0, 128).Select(step => G711.ALawDecode((byte)((0x80 | step) ^ 0x55))).ToArray();
        Assert.True(mu.Zip(mu.Skip(1)).All(pair => pair.First < pair.Second));
        Assert.True(a.Zip(a.Skip(1)).All(pair => pair.First < pair.Second));
    }

    [Fact]
    public void EncodeDecode_EverySixteenBitSample_KeepsSignAndRelativeError()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            int mu = G711.MuLawDecode(G711.MuLawEncode((short)sample));
            int a = G711.ALawDecode(G711.ALawEncode((short)sample));
            int bound = 8 + (Math.Abs(sample) / 12);
            Assert.InRange(Math.Abs(mu - sample), 0, bound);
            Assert.InRange(Math.Abs(a - sample), 0, bound);
            Assert.True(Math.Sign(mu) == 0 || Math.Sign(mu) == Math.Sign(sample), $"mu-law sign of {sample}");
            Assert.True(Math.Sign(a) == Math.Sign(sample) || sample is >= -8 and <= 0, $"A-law sign of {sample}");
        }
    }

    [Fact]
    public void SpanOverloads_MatchScalarVersions()
    {
        short[] samples = [0, 1, -1, 1000, -1000, 32767, -32768];
        byte[] mu = G711.MuLawEncode(samples);
        byte[] a = G711.ALawEncode(samples);
        Assert.Equal(samples.Select(G711.MuLawEncode), mu);
        Assert.Equal(samples.Select(G711.ALawEncode), a);
        Assert.Equal(mu.Select(G711.MuLawDecode), G711.MuLawDecode(mu));
        Assert.Equal(a.Select(G711.ALawDecode), G711.ALawDecode(a));
    }
}
