using System.Diagnostics.Metrics;
using CallCenter.Model;

namespace CallCenter.Web.Gateway;

/// <summary>The agent gateway's metrics: open desktop event streams (gRPC sessions), by role.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "CallCenter.Gateway";
    public const string SessionsName = "callcenter.gateway.sessions";
    public const string SessionsOpenedName = "callcenter.gateway.sessions.opened";

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName, "1.0");
        Sessions = meter.CreateUpDownCounter<long>(SessionsName, "{session}", "Agent desktop event streams open now, by role");
        SessionsOpened = meter.CreateCounter<long>(SessionsOpenedName, "{session}", "Agent desktop event streams opened, by role");
    }

    /// <summary>Desktop event streams open now, by role.</summary>
    public UpDownCounter<long> Sessions { get; }

    /// <summary>Desktop event streams opened since start, by role.</summary>
    public Counter<long> SessionsOpened { get; }

    public static KeyValuePair<string, object?> Role(UserRole role) =>
        new("role", role switch
        {
            UserRole.Agent => "agent",
            UserRole.PartnerExpert => "partner_expert",
            UserRole.Supervisor => "supervisor",
            _ => "admin",
        });
}
