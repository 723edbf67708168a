using CallCenter.Gateway.V1;
using CallCenter.RemoteAgent.Interactive;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.RemoteAgent;

/// <summary>
/// The desktop's entry: parses the command line, logs in, and runs either the terminal desktop or the unattended
/// script until it is done, cancelled or fails; returns the process exit code (see <see cref="ExitCodes"/>).
/// </summary>
public sealed class RemoteAgentApp
{
    private static readonly TimeSpan LogoutTimeout = TimeSpan.FromSeconds(5);

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyList<Uri>, GrpcChannel> _channelFactory;
    private readonly ReconnectPolicy _reconnectPolicy;
    private readonly Func<LoginReply, DeskSession, RemoteAgentOptions, CancellationToken, Task<int>>? _interactive;

    public RemoteAgentApp(
        TextWriter output,
        TextWriter error,
        Func<string, string?> environment,
        TimeProvider? time = null,
        Func<IReadOnlyList<Uri>, GrpcChannel>? channelFactory = null,
        ReconnectPolicy? reconnectPolicy = null,
        Func<LoginReply, DeskSession, RemoteAgentOptions, CancellationToken, Task<int>>? interactive = null)
    {
        _output = output;
        _error = error;
        _environment = environment;
        _time = time ?? TimeProvider.System;
        _channelFactory = channelFactory ?? CreateChannel;
        _reconnectPolicy = reconnectPolicy ?? new ReconnectPolicy();
        _interactive = interactive;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var parsed = RemoteAgentOptions.Parse(args, _environment);
        if (parsed.Options.ShowHelp)
        {
            _output.Write(RemoteAgentOptions.Usage);
            return ExitCodes.Success;
        }
        if (!parsed.IsValid)
        {
            foreach (var problem in parsed.Errors)
            {
                _error.WriteLine($"remote-agent: {problem}");
            }
            _error.WriteLine("remote-agent: see --help for the options");
            return ExitCodes.Usage;
        }

        var options = parsed.Options;
        IDeskEventWriter? writer = !options.Scripted ? null
            : options.Json ? new JsonEventWriter(_output)
            : new TextEventWriter(_output, _error, _time);
        using var channel = _channelFactory(options.Servers);
        var session = new DeskSession(new AgentDesk.AgentDeskClient(channel), _time, _reconnectPolicy, server: options.Server);
        if (writer is not null)
        {
            session.LoggedIn += writer.LoggedIn;
            session.CommandCompleted += writer.Command;
            session.Notice += notice =>
            {
                writer.Notice(notice);
                if (options.Json)
                {
                    // JSON keeps the output machine-readable; a person watching still reads why on the error stream.
                    _error.WriteLine($"remote-agent: {notice.Message}");
                }
            };
        }

        if (writer is null && _interactive is null && Console.IsInputRedirected)
        {
            return Fail(null, "no_terminal", ExitCodes.Usage,
                "the interactive desktop needs a terminal; use --json or --auto-accept for unattended runs");
        }

        try
        {
            var login = await session.LoginAsync(options.UserId, options.Secret, cancellationToken);
            if (options.ProvisionPhone)
            {
                // No logout: it would end every session of the user, the agent's running desktop too.
                var phone = await session.ProvisionPhoneAsync(null, cancellationToken);
                PhoneAccountText.Write(_output, phone, options.Json);
                return ExitCodes.Success;
            }
            if (writer is null)
            {
                return await (_interactive ?? RunInteractiveAsync)(login, session, options, cancellationToken);
            }
            if (options.WrapUpCode is { } code && login.DispositionCodes.Count > 0 && !login.DispositionCodes.Contains(code))
            {
                await LogoutQuietlyAsync(session);
                return Fail(writer, "bad_wrap_up_code", ExitCodes.Usage,
                    $"--wrap-up {code} is not one of this agent's disposition codes: {string.Join(", ", login.DispositionCodes)}");
            }
            return await RunScriptedAsync(session, options, writer, cancellationToken);
        }
        catch (DeskException e)
        {
            return Fail(writer, e.Code, ExitCodes.For(e.Failure), e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Still one line for the agent; the type says where to look.
            return Fail(writer, "unexpected", ExitCodes.Unexpected, $"unexpected error: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<int> RunScriptedAsync(DeskSession session, RemoteAgentOptions options, IDeskEventWriter writer, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var agent = new ScriptedAgent(session, AgentScript.From(options), _time);
        var loggedOutByServer = false;

        var events = session.RunEventsAsync(async (agentEvent, token) =>
        {
            writer.Event(agentEvent);
            if (agentEvent.EventCase == AgentEvent.EventOneofCase.State && agentEvent.State.State == AgentState.LoggedOut)
            {
                loggedOutByServer = true;
                await stop.CancelAsync();
                return;
            }
            // Available once the stream is open, so no offer can come before the desktop can hear it; again after a
            // reconnect that could not resume the session (a new session starts NotReady), not after one that did.
            if (agentEvent.EventCase == AgentEvent.EventOneofCase.Session && options.Available && !agentEvent.Session.Resumed)
            {
                await session.SetStateAsync(AgentState.Available, "", token);
            }
            await agent.HandleAsync(agentEvent, token);
        }, stop.Token);

        try
        {
            var first = await Task.WhenAny(events, agent.Finished);
            if (first == agent.Finished)
            {
                await agent.Finished;
                await StopAsync(stop, events);
                await LogoutQuietlyAsync(session);
                return ExitCodes.Success;
            }
            await events;
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (loggedOutByServer)
        {
            return Fail(writer, "logged_out", ExitCodes.LoggedOutByServer, "logged out by the contact center");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(stop, events);
            await LogoutQuietlyAsync(session);
            return ExitCodes.Success;
        }
        finally
        {
            await StopAsync(stop, events);
        }
    }

    /// <summary>Ends the event loop and waits for it, whatever it ended with: the caller already has its answer.</summary>
    private static async Task StopAsync(CancellationTokenSource stop, Task events)
    {
        await stop.CancelAsync();
        try
        {
            await events;
        }
        catch (Exception e) when (e is OperationCanceledException or DeskException)
        {
        }
    }

    private Task<int> RunInteractiveAsync(LoginReply login, DeskSession session, RemoteAgentOptions options, CancellationToken cancellationToken) =>
        new InteractiveDesk(session, login, Spectre.Console.AnsiConsole.Console, _time).RunAsync(options.Available, cancellationToken);

    private int Fail(IDeskEventWriter? writer, string code, int exitCode, string message)
    {
        writer?.Fatal(code, message, exitCode);
        _error.WriteLine($"remote-agent: {message}");
        return exitCode;
    }

    /// <summary>Best effort: a desktop that leaves says so, but leaving must not hang on a server that is gone.</summary>
    internal static async Task LogoutQuietlyAsync(DeskSession session)
    {
        using var timeout = new CancellationTokenSource(LogoutTimeout);
        try
        {
            await session.LogoutAsync(timeout.Token);
        }
        catch (Exception e) when (e is DeskException or OperationCanceledException or Grpc.Core.RpcException)
        {
        }
    }

    /// <summary>
    /// A channel to <paramref name="servers"/>: with several, gRPC's pick-first balancing keeps one connection and, when
    /// that gateway goes away, connects to the next that answers (every silo accepts the same token and resumes the session).
    /// </summary>
    public static GrpcChannel CreateChannel(IReadOnlyList<Uri> servers)
    {
        var options = new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(10),
                // Pings on the long-lived event stream notice a connection that died without a word.
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            },
            DisposeHttpClient = true,
        };
        if (servers.Count == 1)
        {
            return GrpcChannel.ForAddress(servers[0], options);
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => servers.Select(server => new BalancerAddress(server.Host, server.Port))));
        options.ServiceProvider = services.BuildServiceProvider();
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new PickFirstConfig() } };
        options.Credentials = servers[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress("static:///agent-gateway", options);
    }
}
