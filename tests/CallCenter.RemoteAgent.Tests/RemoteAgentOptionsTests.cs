namespace CallCenter.RemoteAgent.Tests;

public sealed class RemoteAgentOptionsTests
{
    private static OptionsParseResult Parse(string line, string? environmentSecret = null) =>
        RemoteAgentOptions.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            name => name == RemoteAgentOptions.SecretVariable ? environmentSecret : null);

    [Fact]
    public void UserAndSecret_AreEnough_ForTheInteractiveDesktopOnTheDefaultServer()
    {
        var result = Parse("--user alice --secret s3");

        Assert.True(result.IsValid);
        Assert.Equal(new Uri("http://127.0.0.1:8081"), result.Options.Server);
        Assert.Equal("alice", result.Options.UserId);
        Assert.Equal("s3", result.Options.Secret);
        Assert.False(result.Options.Available);
        Assert.False(result.Options.Scripted);
    }

    [Fact]
    public void EveryOption_IsRead()
    {
        var result = Parse("--server https://cc.example:9443 --user bob --secret x --available --auto-accept "
            + "--wrap-up SOLVED --hold-seconds 5 --hang-up-after-seconds 30 --max-calls 3 --json");

        Assert.Empty(result.Errors);
        var options = result.Options;
        Assert.Equal(new Uri("https://cc.example:9443"), options.Server);
        Assert.True(options.Available);
        Assert.True(options.AutoAccept);
        Assert.Equal("SOLVED", options.WrapUpCode);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Hold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.HangUpAfter);
        Assert.Equal(3, options.MaxCalls);
        Assert.True(options.Json);
        Assert.True(options.Scripted);
    }

    [Fact]
    public void SeveralServers_AreKeptInOrder_TheFirstPreferred()
    {
        var result = Parse("--user a --secret b --server http://127.0.0.1:8081,http://127.0.0.1:8091");

        Assert.True(result.IsValid);
        Assert.Equal([new Uri("http://127.0.0.1:8081"), new Uri("http://127.0.0.1:8091")], result.Options.Servers);
        Assert.Equal(new Uri("http://127.0.0.1:8081"), result.Options.Server);
    }

    [Fact]
    public void NameEqualsValue_IsAcceptedToo()
    {
        var result = Parse("--user=carol --secret=a=b --hold-seconds=2");

        Assert.True(result.IsValid);
        Assert.Equal("carol", result.Options.UserId);
        Assert.Equal("a=b", result.Options.Secret);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Options.Hold);
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--auto-accept")]
    [InlineData("--wrap-up OK")]
    [InlineData("--hold-seconds 1")]
    [InlineData("--hang-up-after-seconds 1")]
    [InlineData("--max-calls 1")]
    public void AnyScriptedOption_RunsWithoutTheTerminalUi(string option)
    {
        Assert.True(Parse("--user a --secret b " + option).Options.Scripted);
    }

    [Fact]
    public void Secret_ComesFromTheEnvironment_UnlessGiven()
    {
        Assert.Equal("from-env", Parse("--user a", environmentSecret: "from-env").Options.Secret);
        Assert.Equal("given", Parse("--user a --secret given", environmentSecret: "from-env").Options.Secret);
    }

    [Fact]
    public void MissingUserAndSecret_AreBothReported()
    {
        var result = Parse("--json");

        Assert.False(result.IsValid);
        Assert.Equal(
            ["--user is required", "a secret is required: --secret S or the CALLCENTER_SECRET environment variable"],
            result.Errors);
    }

    [Theory]
    [InlineData("--hold-seconds 0", "--hold-seconds must be a whole number above 0, not '0'")]
    [InlineData("--hold-seconds -3", "--hold-seconds must be a whole number above 0, not '-3'")]
    [InlineData("--hang-up-after-seconds soon", "--hang-up-after-seconds must be a whole number above 0, not 'soon'")]
    [InlineData("--max-calls 1.5", "--max-calls must be a whole number above 0, not '1.5'")]
    [InlineData("--server ftp://x", "--server must be an http:// or https:// address, not 'ftp://x'")]
    [InlineData("--server 127.0.0.1:8081", "--server must be an http:// or https:// address, not '127.0.0.1:8081'")]
    [InlineData("--server http://a:1,https://b:2", "--server addresses must all be http:// or all https://")]
    [InlineData("--server ,", "--server needs at least one address")]
    [InlineData("--frobnicate", "unknown option '--frobnicate'")]
    [InlineData("--wrap-up", "--wrap-up needs a value")]
    [InlineData("--wrap-up --json", "--wrap-up needs a value")]
    public void BadOption_GivesAClearError(string option, string error)
    {
        var result = Parse("--user a --secret b " + option);

        Assert.Equal([error], result.Errors);
    }

    [Fact]
    public void Help_NeedsNothingElse()
    {
        var result = Parse("--help");

        Assert.True(result.IsValid);
        Assert.True(result.Options.ShowHelp);
    }
}
