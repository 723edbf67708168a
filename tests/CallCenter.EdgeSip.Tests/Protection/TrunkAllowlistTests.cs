using System.Net;
using CallCenter.EdgeSip.Protection;

namespace CallCenter.EdgeSip.Tests.Protection;

public sealed class TrunkAllowlistTests
{
    private static readonly TrunkAllowlist List = new(
    [
        "203.0.113.7",
        "198.51.100.0/24",
        " 10.0.0.0/8 ",
        "2001:db8::7",
        "2001:db8:100::/48",
    ]);

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.113.8", false)]
    [InlineData("198.51.100.0", true)]
    [InlineData("198.51.100.255", true)]
    [InlineData("198.51.101.1", false)]
    [InlineData("10.255.0.1", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("2001:db8::7", true)]
    [InlineData("2001:db8::8", false)]
    [InlineData("2001:db8:100:ffff::1", true)]
    [InlineData("2001:db8:101::1", false)]
    [InlineData("::ffff:203.0.113.7", true)]
    [InlineData("::ffff:203.0.113.8", false)]
    [InlineData("::1", false)]
    [InlineData("127.0.0.1", false)]
    public void Allows_MatchesExactAddressesAndRanges(string source, bool allowed)
    {
        Assert.Equal(allowed, List.Allows(IPAddress.Parse(source)));
    }

    [Fact]
    public void Allows_EmptyListOrAny_AcceptsEverySource()
    {
        Assert.True(new TrunkAllowlist([]).Allows(IPAddress.Parse("192.0.2.1")));
        Assert.True(new TrunkAllowlist([]).AllowsAny);
        Assert.True(TrunkAllowlist.Any.Allows(IPAddress.Parse("2001:db8::1")));
        Assert.False(List.AllowsAny);
    }

    [Fact]
    public void Allows_SlashZero_AcceptsTheWholeFamily()
    {
        var list = new TrunkAllowlist(["0.0.0.0/0"]);

        Assert.True(list.Allows(IPAddress.Parse("192.0.2.1")));
        Assert.False(list.Allows(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void Constructor_IPv4MappedEntry_IsReadAsIPv4()
    {
        var list = new TrunkAllowlist(["::ffff:192.0.2.0/120", "::ffff:198.51.100.9"]);

        Assert.True(list.Allows(IPAddress.Parse("192.0.2.200")));
        Assert.True(list.Allows(IPAddress.Parse("198.51.100.9")));
        Assert.Equal("192.0.2.0/24, 198.51.100.9/32", list.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("trunk.example.com")]
    [InlineData("10.1")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.256")]
    [InlineData("010.0.0.1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.1/8")]
    [InlineData("2001:db8::/129")]
    [InlineData("2001:db8::1/64")]
    [InlineData("2001:db8:::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("192.0.2.1:5060")]
    public void Constructor_BadEntry_ThrowsArgumentExceptionNamingIt(string entry)
    {
        ArgumentException exception = Assert.Throws<ArgumentException>(() => new TrunkAllowlist(["192.0.2.1", entry]));

        Assert.Contains($"'{entry}'", exception.Message, StringComparison.Ordinal);
    }
}
