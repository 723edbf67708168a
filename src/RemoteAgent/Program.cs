using System.Runtime.InteropServices;
using CallCenter.RemoteAgent;

using var shutdown = new CancellationTokenSource();
// Ctrl+C and SIGTERM (a load script stopping its agents) end the session cleanly, with a logout, instead of killing
// the process.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var app = new RemoteAgentApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable);
return await app.RunAsync(args, shutdown.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    shutdown.Cancel();
}
