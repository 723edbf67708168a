using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Options;

/// <summary>A configured phone account: a password (the demo) or HA1 values, stored as HA1 either way.</summary>
public sealed class SipAccountOptionsTests
{
    private const string Realm = "callcenter";

    [Fact]
    public void AccountWithHa1AndNoPassword_IsValid_AndKeepsTheHa1()
    {
        var account = new SipAccountOptions
        {
            Username = "desk-7",
            AgentId = "alice",
            Ha1Md5 = PhoneDigest.Md5Ha1("desk-7", Realm, "our-secret").ToUpperInvariant(),
            Ha1Sha256 = PhoneDigest.Sha256Ha1("desk-7", Realm, "our-secret"),
        };

        Assert.Empty(SipEdgeOptionsValidator.Validate(new SipEdgeOptions { Accounts = [account] }));
        var stored = account.ToPhoneAccount(Realm);
        Assert.Equal(PhoneDigest.Md5Ha1("desk-7", Realm, "our-secret"), stored.Ha1Md5);
        Assert.Equal(PhoneDigest.Sha256Ha1("desk-7", Realm, "our-secret"), stored.Ha1Sha256);
    }

    [Fact]
    public void AccountWithAPassword_IsStoredAsHa1Only()
    {
        var stored = new SipAccountOptions { Username = "alice", AgentId = "alice", Password = "alice-phone" }.ToPhoneAccount(Realm);

        Assert.Equal(PhoneDigest.Md5Ha1("alice", Realm, "alice-phone"), stored.Ha1Md5);
        Assert.DoesNotContain("alice-phone", System.Text.Json.JsonSerializer.Serialize(stored), StringComparison.Ordinal);
        Assert.DoesNotContain("alice-phone", stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(stored.Ha1Md5, stored.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("0123456789abcdef0123456789abcdef", "")]
    [InlineData("not-hex-not-hex-not-hex-not-hex!", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void AccountWithNeitherPasswordNorBothHa1_IsNamed(string md5, string sha256)
    {
        var options = new SipEdgeOptions { Accounts = [new SipAccountOptions { Username = "desk-7", AgentId = "alice", Ha1Md5 = md5, Ha1Sha256 = sha256 }] };

        Assert.Contains(SipEdgeOptionsValidator.Validate(options), error => error.Contains(":Accounts:0", StringComparison.Ordinal) && error.Contains("Ha1Md5", StringComparison.Ordinal));
    }
}
