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
    public bool ShowHelp { get; init; }

    /// <summary>Any automatic behaviour or JSON output runs the desktop without its terminal UI.</summary>
    public bool Scripted => AutoAccept || WrapUpCode is not null || Hold is not null || HangUpAfter is not null
        || MaxCalls is not null || Json;

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
        var options = new RemoteAgentOptions();
        var errors = new List<string>();
        string? secret = null;

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = SplitInlineValue(args[i]);
            string? Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return args[++i];
                }
                errors.Add($"{name} needs a value");
                return null;
            }

            switch (name)
            {
                case "-h" or "--help" or "-?":
                    options = options with { ShowHelp = true };
                    break;
                case "--server":
                    if (Value() is { } server)
                    {
                        var servers = new List<Uri>();
                        foreach (var address in server.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                        {
                            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                            {
                                servers.Add(uri);
                            }
                            else
                            {
                                errors.Add($"--server must be an http:// or https:// address, not '{address}'");
                            }
                        }

                        if (servers.Select(uri => uri.Scheme).Distinct().Count() > 1)
                        {
                            errors.Add("--server addresses must all be http:// or all https://");
                        }
                        else if (servers.Count > 0)
                        {
                            options = options with { Servers = servers };
                        }
                        else if (errors.Count == 0)
                        {
                            errors.Add("--server needs at least one address");
                        }
                    }
                    break;
                case "--user":
                    if (Value() is { } user)
                    {
                        options = options with { UserId = user.Trim() };
                    }
                    break;
                case "--secret":
                    secret = Value();
                    break;
                case "--available":
                    options = options with { Available = true };
                    break;
                case "--auto-accept":
                    options = options with { AutoAccept = true };
                    break;
                case "--json":
                    options = options with { Json = true };
                    break;
                case "--wrap-up":
                    if (Value() is { } code)
                    {
                        if (string.IsNullOrWhiteSpace(code))
                        {
                            errors.Add("--wrap-up needs a disposition code");
                        }
                        else
                        {
                            options = options with { WrapUpCode = code.Trim() };
                        }
                    }
                    break;
                case "--hold-seconds":
                    if (PositiveNumber(name, Value(), errors) is { } hold)
                    {
                        options = options with { Hold = TimeSpan.FromSeconds(hold) };
                    }
                    break;
                case "--hang-up-after-seconds":
                    if (PositiveNumber(name, Value(), errors) is { } hangUp)
                    {
                        options = options with { HangUpAfter = TimeSpan.FromSeconds(hangUp) };
                    }
                    break;
                case "--max-calls":
                    if (PositiveNumber(name, Value(), errors) is { } calls)
                    {
                        options = options with { MaxCalls = calls };
                    }
                    break;
                default:
                    errors.Add($"unknown option '{args[i]}'");
                    break;
            }
        }

        if (options.ShowHelp)
        {
            return new OptionsParseResult(options, []);
        }
        if (options.UserId.Length == 0)
        {
            errors.Add("--user is required");
        }
        secret ??= environment(SecretVariable);
        if (string.IsNullOrEmpty(secret))
        {
            errors.Add($"a secret is required: --secret S or the {SecretVariable} environment variable");
        }
        return new OptionsParseResult(options with { Secret = secret ?? "" }, errors);
    }

    private static (string Name, string? Value) SplitInlineValue(string arg)
    {
        // "--name=value" is accepted as well as "--name value".
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 2
            ? (arg[..equals], arg[(equals + 1)..])
            : (arg, null);
    }

    private static int? PositiveNumber(string name, string? text, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }
        errors.Add($"{name} must be a whole number above 0, not '{text}'");
        return null;
    }
}

/// <summary>The options and every problem found in the command line (none when it can run).</summary>
public sealed record OptionsParseResult(RemoteAgentOptions Options, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
