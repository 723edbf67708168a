using System.CommandLine;
using System.CommandLine.Help;
using CallCenter.Bench;

var root = BenchCommandLine.Create();
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || (parsed.CommandResult.Command == root && parsed.Action is not HelpAction))
{
    // No mode, an unknown one or a bad option: the problem and the usage on standard error, exit code 2.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    string[] help = parsed.CommandResult.Command == root ? ["--help"] : [parsed.CommandResult.Command.Name, "--help"];
    root.Parse(help).Invoke(new InvocationConfiguration { Output = Console.Error });
    return 2;
}

return await parsed.InvokeAsync();
