namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>Runs a SIPp server scenario and a client scenario against it, and awaits both.</summary>
public static class SippPair
{
    /// <summary>
    /// Starts <paramref name="server"/>, waits until it listens, runs <paramref name="client"/> against it (its
    /// <see cref="SippOptions.Remote"/> and <see cref="SippOptions.Transport"/> are the server's), then awaits the server.
    /// </summary>
    public static async Task<(SippResult Server, SippResult Client)> RunAsync(SippOptions server, SippOptions client, CancellationToken cancellationToken = default)
    {
        await using var serverProcess = SippProcess.Start(server);
        await serverProcess.WaitUntilListeningAsync(cancellationToken: cancellationToken);
        var clientResult = await SippProcess.RunAsync(client with { Remote = serverProcess.LocalEndPoint, Transport = server.Transport }, cancellationToken);
        var serverResult = await serverProcess.WaitForExitAsync(cancellationToken);
        return (serverResult, clientResult);
    }
}
