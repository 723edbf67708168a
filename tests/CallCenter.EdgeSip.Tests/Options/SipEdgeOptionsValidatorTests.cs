namespace CallCenter.EdgeSip.Tests.Options;

public sealed class SipEdgeOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.Empty(SipEdgeOptionsValidator.Validate(new SipEdgeOptions()));

    [Fact]
    public void EachBadSetting_IsNamed()
    {
        var options = new SipEdgeOptions
        {
            ListenAddress = "localhost",
            Port = 70000,
            Udp = false,
            Tcp = false,
            RtpPortFirst = 100,
            Accounts = [new SipAccountOptions { Username = "a", Password = "", AgentId = "a" }, new SipAccountOptions { Username = "a", Password = "p", AgentId = "b" }],
            Trunks = ["10.0.0.0/99"],
            ConfigurationRefreshSeconds = 0,
            LeaseRenewalSeconds = 0,
            AnnounceEverySeconds = 1,
            SiteId = "lon~don",
        };

        var errors = SipEdgeOptionsValidator.Validate(options);

        Assert.Contains(errors, e => e.Contains(":ListenAddress", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("enable Udp, Tcp", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":RtpPortFirst", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":Accounts:0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("user 'a' is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":Trunks", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":ConfigurationRefreshSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":LeaseRenewalSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":AnnounceEverySeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":SiteId must not contain '~'", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => SipEdgeOptionsValidator.ThrowIfInvalid(options));
    }
}
