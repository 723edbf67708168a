using CallCenter.RemoteAgent;

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C ends the session cleanly (logout) instead of killing the process.
    e.Cancel = true;
    shutdown.Cancel();
};
var app = new RemoteAgentApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable);
return await app.RunAsync(args, shutdown.Token);
