namespace CallCenter.Grains.Contracts;

/// <summary>
/// How long a call's edge may stay silent before the call counts as lost with it (<c>CallCenter:Calls:EdgeLeaseSeconds</c>,
/// 60 by default). The edge renews every 10 s; shorter leases are for test clusters that judge edge loss quickly.
/// </summary>
public sealed class CallLeaseOptions
{
    public const string EdgeLeaseSecondsKey = "CallCenter:Calls:EdgeLeaseSeconds";

    public double EdgeLeaseSeconds { get; set; } = 60;

    public TimeSpan EdgeLease => TimeSpan.FromSeconds(EdgeLeaseSeconds);

    /// <summary>
    /// How often a durable reminder checks the lease of an edge-leased call (60 s by default, Orleans' usual minimum
    /// reminder period). The grain's own timer checks more often; the reminder matters only when the call's silo was
    /// lost with its edge, and brings the call back to end it. Test clusters shorten it.
    /// </summary>
    public double EdgeLeaseReminderSeconds { get; set; } = 60;

    public TimeSpan EdgeLeaseReminderPeriod => TimeSpan.FromSeconds(EdgeLeaseReminderSeconds);
}
