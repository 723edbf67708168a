using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Gateway;
using Xunit.Abstractions;

namespace CallCenter.RemoteAgent.EndToEnd.Tests;

/// <summary>The desktop's scripted mode against the real agent gateway: Kestrel in front of a one-silo cluster.</summary>
public sealed class ScriptedDesktopEndToEndTests(GatewayHost host, ITestOutputHelper log) : IClassFixture<GatewayHost>
{
    [Fact]
    public async Task ScriptedDesktop_LogsIn_GoesAvailable_AcceptsTheOffer_AndWrapsUpWhenTheCallerHangsUp()
    {
        const string agent = "dev";
        var output = new LineWriter();
        var error = new LineWriter();
        var app = new RemoteAgentApp(output, error, _ => null);
        var run = app.RunAsync(
        [
            "--server", $"http://{host.Channel.Target}", "--user", agent, "--secret", GatewayHost.SecretOf(agent),
            "--available", "--auto-accept", "--wrap-up", "resolved", "--max-calls", "1", "--json",
        ], CancellationToken.None);

        await output.WaitForLineAsync("\"command\":\"set_state\"");
        var call = await host.CallAsync("gw-sales");
        await output.WaitForLineAsync("\"command\":\"accept\"");
        await output.WaitForLineAsync("\"state\":\"Connected\"");
        await call.HangUpAsync(CallParty.Caller);
        var exitCode = await run.WaitAsync(TestTimeouts.Signal);
        // The desktop's own account of the run, for whoever reads a failure.
        log.WriteLine(output.ToString());

        Assert.True(exitCode == 0, $"exit code {exitCode}; error output: {error}");
        var lines = output.Lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var commands = lines.Where(l => l.GetProperty("type").GetString() == "command")
            .ToDictionary(l => l.GetProperty("command").GetString()!, l => l.GetProperty("ok").GetBoolean());
        Assert.Equal(
            new Dictionary<string, bool> { ["login"] = true, ["set_state"] = true, ["accept"] = true, ["wrap_up"] = true, ["logout"] = true },
            commands);
        var offer = Assert.Single(lines, l => l.GetProperty("type").GetString() == "offer");
        Assert.Equal(call.GetPrimaryKeyString(), offer.GetProperty("call_id").GetString());
        Assert.Equal("gw-sales", offer.GetProperty("queue_id").GetString());
        Assert.Contains(lines, l => l.GetProperty("type").GetString() == "call" && l.GetProperty("state").GetString() == "Ended");
        // The disposition went in during the wrap-up phase, which it ends.
        var wrapUpPhase = lines.FindIndex(l => l.GetProperty("type").GetString() == "state" && l.GetProperty("state").GetString() == "AGENT_STATE_WRAP_UP");
        var wrapUp = lines.FindIndex(l => l.TryGetProperty("command", out var c) && c.GetString() == "wrap_up");
        Assert.InRange(wrapUpPhase, 0, wrapUp);
        Assert.Equal("resolved", (await call.GetAsync()).Dispositions[agent]);
    }
}
