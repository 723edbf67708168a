using CallCenter.EdgeSip.Hosting;
using CallCenter.Silo.Api;
using CallCenter.Silo.Demo;
using CallCenter.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args.Where(arg => arg != "--demo").ToArray());
if (args.Contains("--demo"))
{
    builder.Configuration["CallCenter:Demo:Enabled"] = "true";
}

builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(builder.Configuration));
builder.Services.AddSingleton<ConfigurationSeeder>();
builder.Services.AddHostedService(services => services.GetRequiredService<ConfigurationSeeder>());
builder.Services.AddSipEdge(builder.Configuration);
if (builder.Configuration.GetValue("CallCenter:Demo:Enabled", false))
{
    builder.Services.AddHostedService<DemoTraffic>();
}

var app = builder.Build();
app.MapHealthEndpoints();
app.MapAdminApi();
app.MapOperationsApi();
app.Run();

/// <summary>Exposed so tests can start the real host.</summary>
public partial class Program;
