using System.Text.RegularExpressions;
using CallCenter.Model;
using CallCenter.ServiceDefaults;
using CallCenter.Web.Gateway;
using CallCenter.Web.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Tests.Security;

/// <summary>
/// The demo's users and phone accounts exist only in the demo (the embedded default, or an explicit opt-in); an operator's
/// list replaces the demo's whole; outside the demo every secret the repository publishes is refused at start-up.
/// </summary>
public sealed partial class DemoCredentialsTests
{
    private static readonly Dictionary<string, string?> Production = new()
    {
        ["Orleans:Clustering:ProviderType"] = "Redis",
        ["Orleans:Clustering:ConnectionString"] = "127.0.0.1:1",
        ["Orleans:ClusterId"] = "c",
        ["Orleans:ServiceId"] = "s",
    };

    /// <summary>The configuration the silo reads (its appsettings.json from its build folder), plus <paramref name="settings"/>.</summary>
    private static HostApplicationBuilder SiloConfiguration(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = SiloProcess.BuildDirectory("Silo", "CallCenter.Silo.dll"),
            DisableDefaults = false,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private static List<GatewayUserOptions> Users(IConfiguration configuration) =>
        configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.Users ?? [];

    [Fact]
    public void Production_WithoutUsersOfItsOwn_HasNoDemoUsersAndNoDemoPhones()
    {
        var builder = SiloConfiguration(Production).AddDemoCredentials();

        Assert.Empty(Users(builder.Configuration));
        Assert.Empty(builder.Configuration.GetSection(DemoCredentials.SipAccountsKey).GetChildren());
    }

    [Fact]
    public void EmbeddedDefault_HasTheDemoUsersAndPhones()
    {
        var builder = SiloConfiguration(new Dictionary<string, string?>()).AddDemoCredentials();

        var users = Users(builder.Configuration);
        Assert.Contains(users, user => user.UserId == "admin" && user.Role == UserRole.Admin);
        Assert.Equal(15, users.Count);
        Assert.Equal(13, builder.Configuration.GetSection(DemoCredentials.SipAccountsKey).GetChildren().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OperatorsUsers_ReplaceTheDemoList_NeverMergeByIndex(bool production)
    {
        var settings = new Dictionary<string, string?>(production ? Production : [])
        {
            ["CallCenter:Gateway:Users:0:UserId"] = "ops",
            ["CallCenter:Gateway:Users:0:Role"] = "Admin",
            ["CallCenter:Gateway:Users:0:SecretHash"] = SecretHasher.Hash("a secret of our own", SecretHasher.MinimumIterations),
            ["CallCenter:Sip:Accounts:0:Username"] = "desk-7",
            ["CallCenter:Sip:Accounts:0:AgentId"] = "alice",
        };
        // Outside the demo a phone account carries HA1, never a plain password (issue 13); in the demo either will do.
        if (production)
        {
            settings["CallCenter:Sip:Accounts:0:Ha1Md5"] = PhoneDigest.Md5Ha1("desk-7", "callcenter", "a phone secret of our own");
            settings["CallCenter:Sip:Accounts:0:Ha1Sha256"] = PhoneDigest.Sha256Ha1("desk-7", "callcenter", "a phone secret of our own");
        }
        else
        {
            settings["CallCenter:Sip:Accounts:0:Password"] = "a phone secret of our own";
        }

        var builder = SiloConfiguration(settings).AddDemoCredentials();

        var user = Assert.Single(Users(builder.Configuration));
        Assert.Equal("ops", user.UserId);
        var account = Assert.Single(builder.Configuration.GetSection(DemoCredentials.SipAccountsKey).GetChildren());
        Assert.Equal("desk-7", account["Username"]);
    }

    [Fact]
    public void Production_RefusesAPlainPhonePassword_AndNamesTheSetting_ButTakesHa1()
    {
        var plain = new Dictionary<string, string?>(Production)
        {
            ["CallCenter:Sip:Accounts:0:Username"] = "desk-7",
            ["CallCenter:Sip:Accounts:0:AgentId"] = "alice",
            ["CallCenter:Sip:Accounts:1:Username"] = "desk-8",
            ["CallCenter:Sip:Accounts:1:AgentId"] = "bob",
            ["CallCenter:Sip:Accounts:1:Password"] = "a phone secret of our own",
        };
        plain["CallCenter:Sip:Accounts:0:Ha1Md5"] = PhoneDigest.Md5Ha1("desk-7", "callcenter", "x-secret-of-ours");
        plain["CallCenter:Sip:Accounts:0:Ha1Sha256"] = PhoneDigest.Sha256Ha1("desk-7", "callcenter", "x-secret-of-ours");

        var error = Assert.Throws<StartupConfigurationException>(() => SiloConfiguration(plain).AddDemoCredentials());

        Assert.Contains("CallCenter:Sip:Accounts:1:Password", error.Message);
        Assert.DoesNotContain("Accounts:0", error.Message);
        Assert.Contains("Ha1Md5", error.Message);
        plain.Remove("CallCenter:Sip:Accounts:1:Password");
        plain["CallCenter:Sip:Accounts:1:Ha1Md5"] = PhoneDigest.Md5Ha1("desk-8", "callcenter", "y-secret-of-ours");
        plain["CallCenter:Sip:Accounts:1:Ha1Sha256"] = PhoneDigest.Sha256Ha1("desk-8", "callcenter", "y-secret-of-ours");
        SiloConfiguration(plain).AddDemoCredentials();
    }

    public static TheoryData<string> PlainSecretSettings() =>
    [
        "CallCenter:Sip:Accounts:0:Password",
        "CallCenter:Sip:NonceSecret",
        "CallCenter:Gateway:TokenSigningKey",
        "CallCenter:Gateway:CertificatePassword",
    ];

    [Theory]
    [MemberData(nameof(PlainSecretSettings))]
    public void Production_RefusesEveryPublishedSecret_InEveryPlainSecretSetting(string key)
    {
        foreach (var secret in PublishedDemoSecrets.All)
        {
            var settings = new Dictionary<string, string?>(Production)
            {
                ["CallCenter:Sip:Accounts:0:Username"] = "u",
                ["CallCenter:Sip:Accounts:0:AgentId"] = "a",
                ["CallCenter:Sip:Accounts:0:Password"] = "a phone secret of our own",
                [key] = secret,
            };

            var error = Assert.Throws<StartupConfigurationException>(() => SiloConfiguration(settings).AddDemoCredentials());

            Assert.Contains(key, error.Message);
        }
    }

    [Theory]
    [InlineData("admin", UserRole.Admin, "admin-desk")]
    [InlineData("admin", UserRole.Admin, "sam-desk")]
    [InlineData("sam", UserRole.Supervisor, "alice-phone")]
    [InlineData("alice", UserRole.Agent, "alice-desk")]
    [InlineData("oscar", UserRole.PartnerExpert, "oscar-phone")]
    public void Production_RefusesAUserWhoseSecretIsPublished_HashedAfresh(string userId, UserRole role, string secret)
    {
        var users = new[]
        {
            new GatewayUserOptions { UserId = "fine", Role = UserRole.Admin, SecretHash = SecretHasher.Hash("not published", SecretHasher.MinimumIterations) },
            new GatewayUserOptions { UserId = userId, Role = role, SecretHash = SecretHasher.Hash(secret, SecretHasher.MinimumIterations) },
        };

        var error = Assert.Throws<StartupConfigurationException>(() => DemoSecretGuard.RefusePublishedSecrets(users));

        Assert.Contains(userId, error.Message);
        Assert.DoesNotContain("fine", error.Message);
    }

    [Fact]
    public async Task Silo_OutsideTheDemo_WithTheDemoAdminsHash_ExitsNaming()
    {
        var demoAdminHash = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(SiloProcess.BuildDirectory("Silo", "CallCenter.Silo.dll"), DemoCredentials.FileName))
            .Build().GetSection("Gateway:Users").GetChildren().Single(user => user["UserId"] == "admin")["SecretHash"]!;
        await using var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ConnectionString"] = "127.0.0.1:1",
            ["Orleans__ClusterId"] = "c",
            ["Orleans__ServiceId"] = "s",
            ["CallCenter__Gateway__Users__0__UserId"] = "admin",
            ["CallCenter__Gateway__Users__0__Role"] = "Admin",
            ["CallCenter__Gateway__Users__0__SecretHash"] = demoAdminHash,
        });

        var exitCode = await silo.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains(nameof(StartupConfigurationException), silo.Output);
        Assert.Contains("CallCenter:Gateway:Users: admin", silo.Output);
    }

    /// <summary>The list of published secrets covers what the README and docs publish and every demo user's secret.</summary>
    [Fact]
    public void PublishedSecrets_CoverTheReadmeTheDocsAndEveryDemoUser()
    {
        var root = RepositoryRoot();
        var published = new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(path => Path.GetRelativePath(root, path)))
            .SelectMany(file => PublishedSecretPattern().Matches(File.ReadAllText(Path.Combine(root, file))).Select(match => match.Value))
            .Where(secret => !secret.StartsWith("<", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.NotEmpty(published);
        Assert.All(published, secret => Assert.True(PublishedDemoSecrets.IsPublished(secret), $"{secret} is published but not refused"));
        var demo = new ConfigurationBuilder().AddJsonFile(Path.Combine(root, "src", "Silo", DemoCredentials.FileName)).Build();
        foreach (var user in demo.GetSection("Gateway:Users").GetChildren())
        {
            Assert.True(SecretHasher.Verify(user["UserId"] + "-desk", user["SecretHash"]!), $"demo user {user["UserId"]}'s secret is not {user["UserId"]}-desk");
            Assert.True(PublishedDemoSecrets.IsPublished(user["UserId"] + "-desk"));
        }

        foreach (var account in demo.GetSection("Sip:Accounts").GetChildren())
        {
            Assert.True(PublishedDemoSecrets.IsPublished(account["Password"]), $"demo phone password {account["Password"]} is not refused");
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "CallCenter.Orleans.sln")))
        {
            directory = directory.Parent;
        }

        return directory.FullName;
    }

    [GeneratedRegex(@"\b[a-z]+-(desk|phone)\b(?![.\w-])")]
    private static partial Regex PublishedSecretPattern();
}
