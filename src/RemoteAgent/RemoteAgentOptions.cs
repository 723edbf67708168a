using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CallCenter.RemoteAgent;

/// <summary>The command line of the agent desktop, parsed and validated.</summary>
public sealed record RemoteAgentOptions
{
    public const string SecretVariable = "CALLCENTER_SECRET";
    public static readonly Uri DefaultServer = new("http://127.0.0.1:8081");

    /// <summary>The gateways to use, in order of preference: the desktop moves to the next when one stops answering.</summary>
    public IReadOnlyList<Uri> Servers { get; init; } = [DefaultServer];

    /// <summary>The preferred gateway (the first of <see cref="Servers"/>).</summary>
    public Uri Server => Servers[0];
    public string UserId { get; init; } = "";
    public string Secret { get; init; } = "";
    public bool Available { get; init; }
    public bool AutoAccept { get; init; }
    public string? WrapUpCode { get; init; }
    public TimeSpan? Hold { get; init; }
    public TimeSpan? HangUpAfter { get; init; }
    public int? MaxCalls { get; init; }
    public bool Json { get; init; }
    public bool ProvisionPhone { get; init; }
    public bool ShowHelp { get; init; }

    /// <summary>Any automatic behaviour or JSON output runs the desktop without its terminal UI.</summary>
    public bool Scripted => AutoAccept || WrapUpCode is not null || Hold is not null || HangUpAfter is not null
        || MaxCalls is not null || Json || ProvisionPhone;

    public const string Usage = """
        Usage: CallCenter.RemoteAgent --user ID [--secret S] [options]

        The agent desktop of CallCenter.Orleans over gRPC. Without scripted options it opens the interactive
        terminal desktop; any scripted option runs it unattended.

        Common options:
          --server URL[,URL...]      gRPC address of the contact center (default http://127.0.0.1:8081); with
                                     several (one per silo), the desktop moves to the next when one goes away
          --user ID                  agent or user id to log in as (required)
          --secret S                 the secret; or set CALLCENTER_SECRET
          --available                become Available right after login
          --phone-account            set up this agent's SIP phone account with a new generated password, show
                                     its username, domain, registrar and the password (this once), and exit

        Scripted mode (for tests and load):
          --auto-accept              accept every offer
          --wrap-up CODE             wrap up every ended call with this disposition code
          --hold-seconds N           put each call on hold as it connects, resume it after N seconds
          --hang-up-after-seconds N  hang up each call N seconds after it connects
          --max-calls N              log out and exit 0 after N accepted calls have ended
          --json                     write events and command results as JSON lines on standard output

          -h, --help                 show this text

        Exit codes: 0 done, 1 unexpected error, 2 bad command line, 3 wrong user or secret,
        4 server unreachable, 5 session expired (re-login refused), 6 event stream lost,
        7 too many failed logins, 8 refused by the server, 9 logged out by the contact center.
        """;

    /// <summary>Parses <paramref name="args"/>; the secret falls back to <see cref="SecretVariable"/>.</summary>
    public static OptionsParseResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var line = new RemoteAgentCommandLine();
        var parsed = line.Command.Parse(args, RemoteAgentCommandLine.Configuration);
        var errors = parsed.Errors.Select(RemoteAgentCommandLine.Describe)
            .Concat(parsed.UnmatchedTokens.Select(token => $"unknown option '{token}'"))
            .Distinct()
            .ToList();
        var options = new RemoteAgentOptions
        {
            ShowHelp = parsed.GetValue(line.Help),
            Available = parsed.GetValue(line.Available),
            AutoAccept = parsed.GetValue(line.AutoAccept),
            Json = parsed.GetValue(line.Json),
            ProvisionPhone = parsed.GetValue(line.ProvisionPhone),
        };
        if (options.ShowHelp)
        {
            return new OptionsParseResult(options, []);
        }

        if (errors.Count == 0)
        {
            options = options with
            {
                Servers = parsed.GetValue(line.Servers) ?? [DefaultServer],
                UserId = parsed.GetValue(line.User)?.Trim() ?? "",
                WrapUpCode = parsed.GetValue(line.WrapUp)?.Trim(),
                Hold = Seconds(parsed.GetValue(line.HoldSeconds)),
                HangUpAfter = Seconds(parsed.GetValue(line.HangUpAfterSeconds)),
                MaxCalls = parsed.GetValue(line.MaxCalls),
            };
        }
        else
        {
            // Values of options that failed to convert are not read; --user still is, so that only what is wrong is reported.
            options = options with { UserId = parsed.GetResult(line.User)?.Tokens.LastOrDefault()?.Value.Trim() ?? "" };
        }

        if (options.UserId.Length == 0)
        {
            errors.Add("--user is required");
        }

        var secret = parsed.GetResult(line.Secret)?.Tokens.LastOrDefault()?.Value ?? environment(SecretVariable);
        if (string.IsNullOrEmpty(secret))
        {
            errors.Add($"a secret is required: --secret S or the {SecretVariable} environment variable");
        }

        return new OptionsParseResult(options with { Secret = secret ?? "" }, errors);
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } value ? TimeSpan.FromSeconds(value) : null;
}

/// <summary>
/// The desktop's options on System.CommandLine: names, value checks and their messages. The usage text stays
/// <see cref="RemoteAgentOptions.Usage"/> (one screen, with the exit codes), so the library's help is not added.
/// </summary>
internal sealed class RemoteAgentCommandLine
{
    /// <summary>No response files (a secret may start with '@'), no bundling of single-dash options.</summary>
    public static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    public RemoteAgentCommandLine()
    {
        Command = new Command("CallCenter.RemoteAgent", "The agent desktop of CallCenter.Orleans over gRPC.")
        {
            Help, Servers, User, Secret, Available, AutoAccept, WrapUp, HoldSeconds, HangUpAfterSeconds, MaxCalls, Json, ProvisionPhone,
        };
        // Reported as "unknown option '...'" by the caller.
        Command.TreatUnmatchedTokensAsErrors = false;
    }

    public Command Command { get; }

    public Option<bool> Help { get; } = new("--help", "-h", "-?");

    public Option<IReadOnlyList<Uri>> Servers { get; } = new("--server")
    {
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = ParseServers,
    };

    public Option<string> User { get; } = new("--user") { CustomParser = result => ValueOf(result, "--user") };

    public Option<string> Secret { get; } = new("--secret") { CustomParser = result => ValueOf(result, "--secret") };

    public Option<bool> Available { get; } = new("--available") { Arity = ArgumentArity.Zero };

    public Option<bool> AutoAccept { get; } = new("--auto-accept") { Arity = ArgumentArity.Zero };

    public Option<bool> Json { get; } = new("--json") { Arity = ArgumentArity.Zero };

    public Option<bool> ProvisionPhone { get; } = new("--phone-account") { Arity = ArgumentArity.Zero };

    public Option<string> WrapUp { get; } = new("--wrap-up")
    {
        CustomParser = result =>
        {
            var code = ValueOf(result, "--wrap-up");
            if (code is not null && string.IsNullOrWhiteSpace(code))
            {
                result.AddError("--wrap-up needs a disposition code");
            }

            return code;
        },
    };

    public Option<int?> HoldSeconds { get; } = PositiveNumber("--hold-seconds");

    public Option<int?> HangUpAfterSeconds { get; } = PositiveNumber("--hang-up-after-seconds");

    public Option<int?> MaxCalls { get; } = PositiveNumber("--max-calls");

    /// <summary>The message of a parse error: the library's "argument missing" becomes "NAME needs a value".</summary>
    public static string Describe(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult result => result,
            ArgumentResult { Parent: OptionResult result } => result,
            _ => null,
        };
        return option is { Tokens.Count: 0 } && option.Option.Arity.MinimumNumberOfValues > 0
            ? $"{option.Option.Name} needs a value"
            : error.Message;
    }

    /// <summary>
    /// The option's value; the next option is never taken for one ("--wrap-up --json" lacks a code), as the library
    /// would, so that says "NAME needs a value".
    /// </summary>
    private static string? ValueOf(ArgumentResult result, string name)
    {
        var value = result.Tokens[0].Value;
        if (value.StartsWith("--", StringComparison.Ordinal))
        {
            result.AddError($"{name} needs a value");
            return null;
        }

        return value;
    }

    private static Option<int?> PositiveNumber(string name) => new(name)
    {
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            var text = ValueOf(result, name);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number above 0, not '{text}'");
            return null;
        },
    };

    private static IReadOnlyList<Uri> ParseServers(ArgumentResult result)
    {
        if (ValueOf(result, "--server") is not { } value)
        {
            return [];
        }

        var servers = new List<Uri>();
        var wrong = false;
        foreach (var address in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                servers.Add(uri);
            }
            else
            {
                result.AddError($"--server must be an http:// or https:// address, not '{address}'");
                wrong = true;
            }
        }

        if (servers.Select(uri => uri.Scheme).Distinct().Count() > 1)
        {
            result.AddError("--server addresses must all be http:// or all https://");
        }
        else if (servers.Count == 0 && !wrong)
        {
            result.AddError("--server needs at least one address");
        }

        return servers;
    }
}

/// <summary>The options and every problem found in the command line (none when it can run).</summary>
public sealed record OptionsParseResult(RemoteAgentOptions Options, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
