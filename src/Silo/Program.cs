using System.CommandLine;
using CallCenter.Silo;
using CallCenter.Simulation;
using CallCenter.Web.Security;

// The silo: one process of the contact center's cluster, serving the grains, the HTTP API, the wallboard and the agent
// gateway, and (unless turned off) a co-hosted SIP edge. Arguments it does not know go to ASP.NET Core's configuration.
var demo = new Option<bool>("--demo") { Description = "Simulated agents and callers (CallCenter:Demo:Enabled=true)" };
var hashSecret = new Command("hash-secret", "Prints the PBKDF2 hash of a secret read from standard input, for CallCenter:Gateway:Users");
hashSecret.SetAction(_ => HashSecret());
var silo = new RootCommand("The contact-center silo") { demo, hashSecret };
silo.TreatUnmatchedTokensAsErrors = false;
silo.SetAction((parsed, _) => RunAsync([.. parsed.UnmatchedTokens], parsed.GetValue(demo)));

// The host handles SIGTERM and its own start-up failures (a missing setting stops the process with the setting named).
var parsing = new ParserConfiguration { ResponseFileTokenReplacer = null };
return await silo.Parse(args, parsing).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });

static async Task<int> RunAsync(string[] args, bool demo)
{
    var builder = WebApplication.CreateBuilder(args);
    if (demo)
    {
        builder.Configuration[DemoHosting.EnabledKey] = "true";
    }

    var app = SiloApplication.Build(builder);
    await app.RunAsync();
    return 0;
}

static int HashSecret()
{
    var secret = Console.In.ReadLine();
    if (string.IsNullOrEmpty(secret))
    {
        Console.Error.WriteLine("usage: echo <secret> | dotnet run --project src/Silo -- hash-secret");
        return 2;
    }

    Console.WriteLine(SecretHasher.Hash(secret));
    return 0;
}
