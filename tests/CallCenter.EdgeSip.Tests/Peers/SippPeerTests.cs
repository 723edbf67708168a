namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// The SIPp scenarios of tests/sipp against the SIPp peers of tests/sipp/validation that play the edge's part: the
/// scenarios and the harness work before the edge exists.
/// </summary>
public sealed class SippPeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Baseline_UacAgainstUas_AllCallsSucceedAndCountsParse()
    {
        var (server, client) = await SippPair.RunAsync(
            new SippOptions { Scenario = SippScenarios.UasBaseline, Calls = 20, Timeout = Timeout },
            new SippOptions { Scenario = SippScenarios.UacBaseline, Calls = 20, Rate = 100, Timeout = Timeout });

        Assert.True(client.Succeeded, client.Describe());
        Assert.True(server.Succeeded, server.Describe());
        Assert.Equal(20, client.SuccessfulCalls);
        Assert.Equal(0, client.FailedCalls);
        Assert.Equal(20, server.SuccessfulCalls);
        Assert.Empty(client.FailureCounters);
    }

    [Theory]
    [InlineData(SipTransport.Udp)]
    [InlineData(SipTransport.Tcp)]
    public async Task CallerCancel_AgainstRingingEdge_GetsThe487(SipTransport transport)
    {
        var (server, client) = await SippPair.RunAsync(
            new SippOptions { Scenario = SippScenarios.ValidationEdgeRings, Transport = transport, Calls = 2, Timeout = Timeout },
            new SippOptions { Scenario = SippScenarios.CallerCancel, Service = "5000", Calls = 2, Timeout = Timeout });

        Assert.True(client.Succeeded, client.Describe());
        Assert.True(server.Succeeded, server.Describe());
        Assert.Equal(2, client.SuccessfulCalls);
    }

    [Theory]
    [InlineData(SipTransport.Udp, "0")]
    [InlineData(SipTransport.Tcp, "8")]
    public async Task CallerHangsUp_AgainstAnsweringEdge_Succeeds(SipTransport transport, string answerPayload)
    {
        var (server, client) = await SippPair.RunAsync(
            new SippOptions
            {
                Scenario = SippScenarios.ValidationEdgeAnswers,
                Transport = transport,
                Calls = 2,
                Timeout = Timeout,
                Variables = new Dictionary<string, string> { ["answer_pt"] = answerPayload },
            },
            new SippOptions
            {
                Scenario = SippScenarios.CallerHangsUp,
                Service = "5000",
                Calls = 2,
                Timeout = Timeout,
                Variables = new Dictionary<string, string> { ["caller"] = "0611223344", ["hold_ms"] = "500" },
            });

        Assert.True(client.Succeeded, client.Describe());
        Assert.True(server.Succeeded, server.Describe());
        Assert.Equal(2, server.SuccessfulCalls);
    }

    [Theory]
    [InlineData(SipTransport.Udp)]
    [InlineData(SipTransport.Tcp)]
    public async Task CallerWaitsForBye_EdgeHangsUp_Succeeds(SipTransport transport)
    {
        var (server, client) = await SippPair.RunAsync(
            new SippOptions
            {
                Scenario = SippScenarios.ValidationEdgeAnswers,
                Transport = transport,
                Calls = 2,
                Timeout = Timeout,
                Variables = new Dictionary<string, string> { ["bye_after_ms"] = "500" },
            },
            new SippOptions { Scenario = SippScenarios.CallerWaitsForBye, Service = "5000", Calls = 2, Timeout = Timeout, ReceiveTimeout = TimeSpan.FromSeconds(5) });

        Assert.True(client.Succeeded, client.Describe());
        Assert.True(server.Succeeded, server.Describe());
    }

    [Fact]
    public async Task CallerHangsUp_EdgeHangsUpFirst_TheCallFailsAndTheResultSaysWhy()
    {
        var (_, client) = await SippPair.RunAsync(
            new SippOptions
            {
                Scenario = SippScenarios.ValidationEdgeAnswers,
                Calls = 1,
                Timeout = Timeout,
                Variables = new Dictionary<string, string> { ["bye_after_ms"] = "200" },
            },
            new SippOptions
            {
                Scenario = SippScenarios.CallerHangsUp,
                Service = "5000",
                Calls = 1,
                Timeout = Timeout,
                Variables = new Dictionary<string, string> { ["hold_ms"] = "5000" },
            });

        Assert.False(client.Succeeded);
        Assert.Equal(1, client.ExitCode);
        Assert.Equal(0, client.SuccessfulCalls);
        Assert.Equal(1, client.FailedCalls);
        Assert.True(client.FailureCounters.ContainsKey("FailedUnexpectedMessage"), client.Describe());
        Assert.Contains("BYE", client.ErrorLog, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SipTransport.Udp)]
    [InlineData(SipTransport.Tcp)]
    public async Task AgentRegister_DigestChallenge_AllAgentsRegister(SipTransport transport)
    {
        var agents = SippProcess.WriteAgentsFile(Path.GetTempPath(), [("agent1", "s3cret"), ("agent2", "s3cret"), ("agent3", "s3cret")]);
        try
        {
            var (server, client) = await SippPair.RunAsync(
                new SippOptions
                {
                    Scenario = SippScenarios.ValidationEdgeRegistrar,
                    Transport = transport,
                    Calls = 3,
                    Timeout = Timeout,
                    Variables = new Dictionary<string, string> { ["password"] = "s3cret" },
                },
                new SippOptions
                {
                    Scenario = SippScenarios.AgentRegister,
                    InjectionFile = agents,
                    Calls = 3,
                    Timeout = Timeout,
                    Variables = new Dictionary<string, string> { ["phone_port"] = "5999" },
                });

            Assert.True(client.Succeeded, client.Describe());
            Assert.True(server.Succeeded, server.Describe());
            Assert.Equal(3, server.SuccessfulCalls);
        }
        finally
        {
            File.Delete(agents);
        }
    }

    [Fact]
    public async Task AgentRegister_WrongPassword_IsRefusedAndBothSidesFail()
    {
        var agents = SippProcess.WriteAgentsFile(Path.GetTempPath(), [("agent1", "wrong")]);
        try
        {
            var (server, client) = await SippPair.RunAsync(
                new SippOptions
                {
                    Scenario = SippScenarios.ValidationEdgeRegistrar,
                    Calls = 1,
                    Timeout = Timeout,
                    Variables = new Dictionary<string, string> { ["password"] = "s3cret" },
                },
                new SippOptions { Scenario = SippScenarios.AgentRegister, InjectionFile = agents, Calls = 1, Timeout = Timeout });

            Assert.Equal(1, client.ExitCode);
            Assert.Equal(1, client.FailedCalls);
            Assert.Contains("403", client.ErrorLog, StringComparison.Ordinal);
            Assert.Equal(1, server.FailedCalls);
        }
        finally
        {
            File.Delete(agents);
        }
    }

    [Theory]
    [InlineData(SipTransport.Udp, "0 8 101", null)]
    [InlineData(SipTransport.Tcp, "8 0 101", "300")]
    public async Task AgentPhone_EdgeCallsIt_AnswersAndHangsUp(SipTransport transport, string offer, string? agentHangsUpAfterMs)
    {
        var phoneVariables = new Dictionary<string, string>();
        var edgeVariables = new Dictionary<string, string> { ["offer"] = offer };
        if (agentHangsUpAfterMs is null)
        {
            edgeVariables["bye_after_ms"] = "300";
        }
        else
        {
            phoneVariables["bye_after_ms"] = agentHangsUpAfterMs;
        }

        var (phone, edge) = await SippPair.RunAsync(
            new SippOptions { Scenario = SippScenarios.AgentPhone, Transport = transport, Calls = 2, Timeout = Timeout, Variables = phoneVariables },
            new SippOptions
            {
                Scenario = SippScenarios.ValidationEdgeCallsAgent,
                Service = "agent1",
                Calls = 2,
                Timeout = Timeout,
                ReceiveTimeout = TimeSpan.FromSeconds(5),
                Variables = edgeVariables,
            });

        Assert.True(edge.Succeeded, edge.Describe());
        Assert.True(phone.Succeeded, phone.Describe());
        Assert.Equal(2, phone.SuccessfulCalls);
    }
}
