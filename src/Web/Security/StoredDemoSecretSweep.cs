using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Gateway;

namespace CallCenter.Web.Security;

/// <summary>
/// Outside the demo (<see cref="DemoCredentials.Apply"/> false), at start-up: the user and phone-account directories are
/// stored (Redis), so a cluster that once ran the demo still holds its users and phones with their published secrets.
/// Each stored user whose hash verifies a published secret (<see cref="DemoSecretGuard"/>) is removed (its sessions end;
/// the gateway's seeding, which runs next, adds it again when <c>CallCenter:Gateway:Users</c> configures it, with the
/// configured secret), and so is each phone account whose HA1 is that of a published secret. Each is logged by id. Logins refuse published secrets as well
/// (<see cref="UserLogin"/>), whatever the store holds.
/// </summary>
internal sealed partial class StoredDemoSecretSweep(IGrainFactory grains, IConfiguration configuration, ILogger<StoredDemoSecretSweep> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (DemoCredentials.Apply(configuration))
        {
            return;
        }

        var users = grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        var offending = (await users.ListAsync())
            .AsParallel()
            .Where(user => DemoSecretGuard.HoldsPublishedSecret(user.UserId, user.Role, user.SecretHash))
            .ToList();
        foreach (var user in offending)
        {
            await users.RemoveAsync(user.UserId);
            LogUserRemoved(user.UserId);
        }

        var phones = grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);
        foreach (var account in (await phones.ListAsync()).Where(DemoSecretGuard.HoldsPublishedSecret))
        {
            await phones.RemoveAsync(account.Username);
            LogPhoneRemoved(account.Username);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored user {UserId} had a demo secret published in the repository: removed, its sessions ended (configured in CallCenter:Gateway:Users, it is added again with the configured secret)")]
    private partial void LogUserRemoved(string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored phone account {Username} had a demo password published in the repository: removed. Provision it again (PUT /api/admin/phones/{{agentId}} or the desktop)")]
    private partial void LogPhoneRemoved(string username);
}
