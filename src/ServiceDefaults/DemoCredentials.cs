using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace CallCenter.ServiceDefaults;

/// <summary>
/// The demo's users and phone accounts (file <see cref="FileName"/> beside the silo), whose secrets the README publishes.
/// They apply only to the demo: the embedded default (no <c>Orleans:Clustering:ProviderType</c>) or an explicit
/// <see cref="EnabledKey"/>=true (the multi-site script on one machine). Even then a list the operator configures
/// replaces the demo's whole (never merged entry by entry, as configuration binding merges arrays by index). Anywhere
/// else start-up refuses a published demo secret in the settings it reads as plain text, and any plain phone password.
/// </summary>
public static class DemoCredentials
{
    public const string EnabledKey = "CallCenter:DemoCredentials:Enabled";
    public const string FileName = "demo-credentials.json";
    public const string UsersKey = "CallCenter:Gateway:Users";
    public const string SipAccountsKey = "CallCenter:Sip:Accounts";

    /// <summary>Settings read as plain secrets; each is refused outside the demo when it holds a published demo secret.</summary>
    private static readonly string[] PlainSecretKeys =
    [
        "CallCenter:Sip:NonceSecret",
        "CallCenter:Gateway:TokenSigningKey",
        "CallCenter:Gateway:CertificatePassword",
    ];

    /// <summary>Whether this process runs the demo: explicitly set, or else the embedded default (no clustering provider).</summary>
    public static bool Apply(IConfiguration configuration) =>
        configuration.GetValue<bool?>(EnabledKey) ?? string.IsNullOrWhiteSpace(configuration["Orleans:Clustering:ProviderType"]);

    /// <summary>
    /// In the demo, fills the user and phone-account lists the operator left empty from <see cref="FileName"/>; elsewhere
    /// refuses (<see cref="StartupConfigurationException"/>) any published demo secret among the plain settings.
    /// </summary>
    public static TBuilder AddDemoCredentials<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var configuration = builder.Configuration;
        if (!Apply(configuration))
        {
            RefusePublishedSecrets(configuration);
            return builder;
        }

        var path = Locate(builder.Environment.ContentRootPath);
        if (path is null)
        {
            return builder;
        }

        var demo = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        var filled = new Dictionary<string, string?>();
        foreach (var (key, demoSection) in new[] { (UsersKey, "Gateway:Users"), (SipAccountsKey, "Sip:Accounts") })
        {
            if (configuration.GetSection(key).GetChildren().Any())
            {
                continue; // the operator's list replaces the demo's whole
            }

            foreach (var (demoKey, value) in demo.GetSection(demoSection).AsEnumerable(makePathsRelative: true))
            {
                if (value is not null)
                {
                    filled[$"{key}:{demoKey}"] = value;
                }
            }
        }

        configuration.AddInMemoryCollection(filled);
        return builder;
    }

    /// <summary>Throws, naming the setting, when a plain secret setting holds a published demo secret or a phone account a plain password.</summary>
    public static void RefusePublishedSecrets(IConfiguration configuration)
    {
        var offending = PlainSecretKeys
            .Select(key => (Key: key, Value: configuration[key]))
            .Concat(configuration.GetSection(SipAccountsKey).GetChildren().Select(account => (Key: account.Path + ":Password", Value: account["Password"])))
            .Where(setting => PublishedDemoSecrets.IsPublished(setting.Value))
            .Select(setting => setting.Key)
            .ToList();
        // Outside the demo a phone password is never kept in plain text: HA1 values, or accounts in the directory.
        var plainPhonePasswords = configuration.GetSection(SipAccountsKey).GetChildren()
            .Where(account => !string.IsNullOrEmpty(account["Password"]))
            .Select(account => account.Path + ":Password")
            .ToList();
        var problems = new List<string>();
        if (offending.Count > 0)
        {
            problems.Add($"{string.Join(", ", offending)} hold(s) a demo secret published in the repository; outside the demo (embedded default or {EnabledKey}=true) set secrets of your own (docs/operations.md, production).");
        }

        if (plainPhonePasswords.Count > 0)
        {
            problems.Add($"{string.Join(", ", plainPhonePasswords)}: phone passwords in plain text are for the demo only; give Ha1Md5 and Ha1Sha256 instead, or create the accounts with PUT /api/admin/phones/{{agentId}} (docs/operations.md, phone accounts).");
        }

        if (problems.Count > 0)
        {
            throw new StartupConfigurationException(string.Join(" ", problems));
        }
    }

    private static string? Locate(string contentRoot)
    {
        var fromContent = Path.Combine(contentRoot, FileName);
        if (File.Exists(fromContent))
        {
            return fromContent;
        }

        var fromBase = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(fromBase) ? fromBase : null;
    }
}
