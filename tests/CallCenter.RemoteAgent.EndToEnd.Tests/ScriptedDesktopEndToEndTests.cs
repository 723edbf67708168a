extern alias RemoteAgentDesk;

using System.Text;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Gateway;
using Xunit.Abstractions;
using RemoteAgentApp = RemoteAgentDesk::CallCenter.RemoteAgent.RemoteAgentApp;

namespace CallCenter.RemoteAgent.EndToEnd.Tests;

/// <summary>The desktop's scripted mode against the real agent gateway: Kestrel in front of a one-silo cluster.</summary>
public sealed class ScriptedDesktopEndToEndTests(GatewayHost host, ITestOutputHelper log) : IClassFixture<GatewayHost>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ScriptedDesktop_LogsIn_GoesAvailable_AcceptsTheOffer_AndWrapsUpWhenTheCallerHangsUp()
    {
        const string agent = "dev";
        var output = new SignalingWriter();
        var error = new SignalingWriter();
        var app = new RemoteAgentApp(output, error, _ => null);
        var run = app.RunAsync(
        [
            "--server", $"http://{host.Channel.Target}", "--user", agent, "--secret", GatewayHost.SecretOf(agent),
            "--available", "--auto-accept", "--wrap-up", "resolved", "--max-calls", "1", "--json",
        ], CancellationToken.None);

        await output.WaitForLineAsync("\"command\":\"set_state\"").WaitAsync(Bound);
        var call = await host.CallAsync("gw-sales");
        await output.WaitForLineAsync("\"command\":\"accept\"").WaitAsync(Bound);
        await output.WaitForLineAsync("\"state\":\"Connected\"").WaitAsync(Bound);
        await call.HangUpAsync(CallParty.Caller);
        var exitCode = await run.WaitAsync(Bound);
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
        Assert.Equal("resolved", (await call.GetAsync()).Dispositions[agent]);
    }
}

/// <summary>A thread-safe text sink whose lines a test can await: the desktop's output as the signal.</summary>
internal sealed class SignalingWriter : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return string.Join('\n', _lines);
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }
            var line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.TrySetResult();
            }
        }
    }

    public Task WaitForLineAsync(string text)
    {
        lock (_lock)
        {
            if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task;
        }
    }
}
