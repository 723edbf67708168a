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
            .Where(user => SecretHasher.IsWellFormed(user.SecretHash) && Candidates(user).Any(secret => SecretHasher.Verify(secret, user.SecretHash)))
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

    private static IEnumerable<string> Candidates(GatewayUserOptions user) =>
        user.Role is Model.UserRole.Admin or Model.UserRole.Supervisor
            ? PublishedDemoSecrets.All
            : PublishedDemoSecrets.All.Where(secret => secret.StartsWith(user.UserId + "-", StringComparison.Ordinal));
}
