using System.Globalization;

namespace CallCenter.Bench;

/// <summary><c>--name value</c> options after the mode.</summary>
internal sealed class Arguments(IReadOnlyList<string> args)
{
    public int Int(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Value(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private string? Value(string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == $"--{name}")
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
