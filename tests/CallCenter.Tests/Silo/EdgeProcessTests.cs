using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using CallCenter.Sip.Uris;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Silo;

/// <summary>The SIP edge as a process of its own (an Orleans client of the cluster) and co-hosted in the silo.</summary>
public sealed class EdgeProcessTests
{
    [Fact]
    public async Task SeparateEdgeProcess_RegistersAnAgentPhone_InTheCluster()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["CallCenter__Sip__Enabled"] = "false" });
        await silo.WaitUntilReadyAsync();
        var sipPort = PortAllocator.Next();
        using var edge = StartEdge(silo.GatewayPort, sipPort);
        try
        {
            await WaitForOutputAsync(edge, "listening on 127.0.0.1:" + sipPort);

            var status = await RegisterAsync(sipPort, "alice", "alice-secret");

            Assert.Equal(200, status);
            var agent = JsonDocument.Parse(await silo.Http.GetStringAsync("/api/agents/alice")).RootElement;
            Assert.StartsWith("sip:alice@127.0.0.1:", agent.GetProperty("phoneContact").GetString());
            Assert.Equal(401, await RegisterAsync(sipPort, "alice", "wrong"));
        }
        finally
        {
            edge.Kill(entireProcessTree: true);
            await edge.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Silo_CoHostsTheEdge_OnTheConfiguredPort()
    {
        var sipPort = PortAllocator.Next();
        await using var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["CallCenter__Sip__Port"] = sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__LogLevel__CallCenter.EdgeSip"] = "Information",
        });
        await silo.WaitUntilReadyAsync();

        // The demo accounts of appsettings.json: user alice, password alice-phone.
        Assert.Equal(200, await RegisterAsync(sipPort, "alice", "alice-phone"));
        var agent = JsonDocument.Parse(await silo.Http.GetStringAsync("/api/agents/alice")).RootElement;
        Assert.StartsWith("sip:alice@127.0.0.1:", agent.GetProperty("phoneContact").GetString());
    }

    private static Process StartEdge(int gatewayPort, int sipPort)
    {
        var directory = SiloProcess.BuildDirectory("EdgeSip", "CallCenter.EdgeSip.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(directory, "CallCenter.EdgeSip.dll") },
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CallCenter__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CallCenter__Sip__Port"] = sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CallCenter__Sip__RtpPortFirst"] = "34000";
        start.Environment["CallCenter__Sip__RtpPortLast"] = "34999";
        start.Environment["CallCenter__Sip__Accounts__0__Username"] = "alice";
        start.Environment["CallCenter__Sip__Accounts__0__Password"] = "alice-secret";
        start.Environment["CallCenter__Sip__Accounts__0__AgentId"] = "alice";
        start.Environment["CallCenter__Sip__DigestAlgorithms__0"] = "MD5";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__CallCenter"] = "Information";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the edge process did not start");
        return process;
    }

    private static async Task WaitForOutputAsync(Process process, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException($"the edge ended before saying '{text}':\n{seen}\n{await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    /// <summary>REGISTER over UDP, answering the digest challenge; returns the final status.</summary>
    private static async Task<int> RegisterAsync(int sipPort, string user, string password)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var edge = new IPEndPoint(IPAddress.Loopback, sipPort);
        var callId = Guid.NewGuid().ToString("N");
        var register = Register(user, local, sipPort, callId, 1);
        var challenge = await ExchangeAsync(udp, register, edge);
        Assert.Equal(401, challenge.StatusCode);
        var retry = Register(user, local, sipPort, callId, 2);
        new DigestClient(user, password).Respond(challenge, retry).ApplyTo(retry);
        return (await ExchangeAsync(udp, retry, edge)).StatusCode;
    }

    private static SipRequest Register(string user, IPEndPoint local, int sipPort, string callId, int cseq)
    {
        var request = new SipRequest(SipMethods.Register, SipUri.Parse($"sip:127.0.0.1:{sipPort}"));
        request.Headers.Add("Via", $"SIP/2.0/UDP 127.0.0.1:{local.Port};branch=z9hG4bK{Guid.NewGuid():N}");
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", $"<sip:{user}@127.0.0.1>;tag={callId[..8]}");
        request.Headers.Add("To", $"<sip:{user}@127.0.0.1>");
        request.Headers.Add("Call-ID", callId);
        request.Headers.Add("CSeq", $"{cseq} REGISTER");
        request.Headers.Add("Contact", $"<sip:{user}@127.0.0.1:{local.Port}>");
        request.Headers.Add("Expires", "300");
        return request;
    }

    private static async Task<SipResponse> ExchangeAsync(UdpClient udp, SipRequest request, IPEndPoint edge)
    {
        await udp.SendAsync(request.ToBytes(), edge);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = await udp.ReceiveAsync(timeout.Token);
            if (SipMessageParser.Parse(received.Buffer) is SipResponse { StatusCode: >= 200 } response)
            {
                return response;
            }
        }
    }
}
