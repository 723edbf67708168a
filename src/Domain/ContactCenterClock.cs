namespace CallCenter.Domain;

/// <summary>
/// The contact center's business clock is a keyed <see cref="TimeProvider"/>: waits, leases, wrap-up and bullseye stages read it,
/// so tests drive them with a fake clock without also moving Orleans' own timers and timeouts.
/// </summary>
public static class ContactCenterClock
{
    public const string ServiceKey = "contact-center";
}
