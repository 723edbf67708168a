using CallCenter.EdgeSip.Hosting;
using CallCenter.Silo.Api;
using CallCenter.Silo.Demo;
using CallCenter.Silo.Gateway;
using CallCenter.Silo.Gateway.Security;
using CallCenter.Silo.Hosting;

if (args.FirstOrDefault() == "hash-secret")
{
    // Prints the PBKDF2 hash of a secret read from standard input, for CallCenter:Gateway:Users.
    var secret = Console.In.ReadLine();
    if (string.IsNullOrEmpty(secret))
    {
        Console.Error.WriteLine("usage: echo <secret> | dotnet run --project src/Silo -- hash-secret");
        return 2;
    }

    Console.WriteLine(SecretHasher.Hash(secret));
    return 0;
}

var builder = WebApplication.CreateBuilder(args.Where(arg => arg != "--demo").ToArray());
if (args.Contains("--demo"))
{
    builder.Configuration["CallCenter:Demo:Enabled"] = "true";
}

builder.UseOrleans(silo =>
{
    silo.ConfigureCallCenterSilo(builder.Configuration);
    silo.AddCallCenterDiagnostics(builder.Configuration);
    // How fast a crashed silo is declared dead (ProbeTimeout, NumMissedProbesLimit, ...): Orleans binds no section for it itself.
    silo.Services.AddOptions<Orleans.Configuration.ClusterMembershipOptions>().Bind(builder.Configuration.GetSection("Orleans:Membership"));
});
builder.AddCallCenterObservability();
builder.Services.AddSingleton<ConfigurationSeeder>();
builder.Services.AddHostedService(services => services.GetRequiredService<ConfigurationSeeder>());
builder.Services.AddSipEdge(builder.Configuration);
builder.AddAgentGateway();
if (builder.Configuration.GetValue("CallCenter:Demo:Enabled", false))
{
    builder.Services.AddHostedService<DemoTraffic>();
}

var app = builder.Build();
app.UseWallboard();
app.MapHealthEndpoints();
app.MapAdminApi();
app.MapOperationsApi();
app.MapHistoryApi();
app.MapAgentGateway();
app.MapCallCenterObservability();
app.Run();
return 0;

/// <summary>Exposed so tests can start the real host.</summary>
public partial class Program;
