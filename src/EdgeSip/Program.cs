using CallCenter.EdgeSip.Hosting;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// The SIP edge as a process of its own: an Orleans client of the contact center's cluster. With no clustering
// provider it joins the embedded default silo on this machine (gateway CallCenter:GatewayPort, 30000); with
// Orleans:Clustering:ProviderType=Redis it finds the cluster in Redis (Orleans:ClusterId and Orleans:ServiceId).
var builder = Host.CreateApplicationBuilder(args);
builder.AddDemoCredentials();
builder.UseOrleansClient(client =>
{
    // A call's trace follows its grain calls into the silos.
    client.AddActivityPropagation();
    client.ConfigureEdgeClient(builder.Configuration);
    if (string.IsNullOrWhiteSpace(builder.Configuration["Orleans:Clustering:ProviderType"]))
    {
        client.UseLocalhostClustering(builder.Configuration.GetValue("CallCenter:GatewayPort", 30000));
    }
});
if (!builder.Services.AddSipEdge(builder.Configuration))
{
    Console.Error.WriteLine($"{CallCenter.EdgeSip.SipEdgeOptions.Section}:Enabled is false: nothing to run.");
    return 2;
}

// The grains' and the gateway's names are spelled here: the edge does not reference them (their instruments are not in
// this process; listing them keeps one list for silo and edge dashboards).
builder.AddCallCenterOpenTelemetry("callcenter-edge", new TelemetrySources(
    Meters: ["CallCenter.Grains", EdgeTelemetry.MeterName, "CallCenter.Gateway"],
    ActivitySources: ["CallCenter.Grains", EdgeTelemetry.ActivitySourceName]));
await builder.Build().RunAsync();
return 0;
