using CallCenter.Web.Gateway;

namespace CallCenter.Web.Security;

/// <summary>
/// Outside the demo (<see cref="DemoCredentials.Apply"/> false) no configured user may keep a secret the repository
/// publishes. Each user's hash is tried against the published secrets of the same user id (<c>admin-desk</c> for
/// <c>admin</c>), and a supervisor's or admin's against every published secret: a PBKDF2 verification costs tens of
/// milliseconds, so an agent list of thousands is not tried against all of them.
/// </summary>
public static class DemoSecretGuard
{
    public static void RefusePublishedSecrets(IEnumerable<GatewayUserOptions> users)
    {
        var offending = users
            .AsParallel()
            .Where(user => HoldsPublishedSecret(user.UserId, user.Role, user.SecretHash))
            .Select(user => user.UserId)
            .OrderBy(userId => userId, StringComparer.Ordinal)
            .ToList();
        if (offending.Count > 0)
        {
            throw new StartupConfigurationException(
                $"{GatewayOptions.Section}:Users: {string.Join(", ", offending)} use(s) a demo secret published in the repository; " +
                $"outside the demo (embedded default or {DemoCredentials.EnabledKey}=true) give each user a secret of your own (docs/operations.md, production).");
        }
    }

    /// <summary>Whether <paramref name="secretHash"/> verifies one of the published secrets a user of that id and role is tried against.</summary>
    public static bool HoldsPublishedSecret(string userId, Model.UserRole role, string? secretHash) =>
        secretHash is not null && SecretHasher.IsWellFormed(secretHash) && Candidates(userId, role).Any(secret => SecretHasher.Verify(secret, secretHash));

    /// <summary>Whether a phone account's HA1 is that of a published secret (MD5 is cheap: every one is tried).</summary>
    public static bool HoldsPublishedSecret(Model.PhoneAccount account) =>
        PublishedDemoSecrets.All.Any(secret => string.Equals(Model.PhoneDigest.Md5Ha1(account.Username, account.Realm, secret), account.Ha1Md5, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Model.PhoneDigest.Sha256Ha1(account.Username, account.Realm, secret), account.Ha1Sha256, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Candidates(string userId, Model.UserRole role) =>
        role is Model.UserRole.Admin or Model.UserRole.Supervisor
            ? PublishedDemoSecrets.All
            : PublishedDemoSecrets.All.Where(secret => secret.StartsWith(userId + "-", StringComparison.Ordinal));
}
