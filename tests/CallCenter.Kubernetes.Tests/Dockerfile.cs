using System.Text.Json;
using System.Text.RegularExpressions;

namespace CallCenter.Kubernetes.Tests;

/// <summary>
/// A Dockerfile read without a Docker engine: the instructions of its final stage (the image that ships), with line
/// continuations joined and comments dropped. Only what the image tests need: FROM, LABEL, EXPOSE, USER, ENTRYPOINT, RUN.
/// </summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<(string Keyword, string Arguments)> instructions)
    {
        Path = path;
        Instructions = instructions;
        var stages = instructions.Select((instruction, index) => (instruction, index)).Where(i => i.instruction.Keyword == "FROM").Select(i => i.index).ToList();
        if (stages.Count == 0)
        {
            throw new InvalidOperationException($"{path} has no FROM");
        }

        FinalStage = instructions.Skip(stages[^1]).ToList();
        Stages = stages.Select(index => instructions[index].Arguments).ToList();
    }

    public string Path { get; }

    public IReadOnlyList<(string Keyword, string Arguments)> Instructions { get; }

    /// <summary>The last stage's instructions, starting with its FROM.</summary>
    public IReadOnlyList<(string Keyword, string Arguments)> FinalStage { get; }

    /// <summary>Each stage's FROM arguments (image, and "AS name").</summary>
    public IReadOnlyList<string> Stages { get; }

    /// <summary>The image the final stage starts from.</summary>
    public string FinalBaseImage => FinalStage[0].Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    /// <summary>The image repository it builds, from its <c>org.opencontainers.image.title</c> label.</summary>
    public string? Title => Labels().GetValueOrDefault("org.opencontainers.image.title");

    /// <summary>ENTRYPOINT in exec form (a JSON array); null when absent or in shell form.</summary>
    public IReadOnlyList<string>? Entrypoint
    {
        get
        {
            var entrypoint = FinalStage.LastOrDefault(i => i.Keyword == "ENTRYPOINT").Arguments;
            if (entrypoint is null || !entrypoint.TrimStart().StartsWith('['))
            {
                return null;
            }

            return JsonSerializer.Deserialize<string[]>(entrypoint);
        }
    }

    public string? User => FinalStage.LastOrDefault(i => i.Keyword == "USER").Arguments?.Trim();

    /// <summary>Every port the final stage EXPOSEs, with its protocol (TCP unless it says /udp); ranges expanded.</summary>
    public IReadOnlySet<(int Port, string Protocol)> ExposedPorts()
    {
        var ports = new HashSet<(int, string)>();
        foreach (var (_, arguments) in FinalStage.Where(i => i.Keyword == "EXPOSE"))
        {
            foreach (var token in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = token.Split('/');
                var protocol = parts.Length > 1 ? parts[1].ToUpperInvariant() : "TCP";
                var range = parts[0].Split('-');
                var first = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
                var last = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : first;
                for (var port = first; port <= last; port++)
                {
                    ports.Add((port, protocol));
                }
            }
        }

        return ports;
    }

    public IReadOnlyDictionary<string, string> Labels()
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, arguments) in FinalStage.Where(i => i.Keyword == "LABEL"))
        {
            foreach (Match pair in LabelPair().Matches(arguments))
            {
                labels[pair.Groups["key"].Value] = pair.Groups["value"].Value;
            }
        }

        return labels;
    }

    public static Dockerfile Load(string path)
    {
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                // A comment inside a continued instruction.
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            var space = current.IndexOf(' ');
            instructions.Add(space < 0 ? (current.ToUpperInvariant(), "") : (current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            current = "";
        }

        return new Dockerfile(path, instructions);
    }

    /// <summary>Every file named Dockerfile under src/ (one per deployable, beside its project).</summary>
    public static IReadOnlyList<Dockerfile> All() =>
        Directory.GetFiles(System.IO.Path.Combine(Manifests.RepoRoot, "src"), "Dockerfile", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .ToList();

    [GeneratedRegex("""(?<key>[A-Za-z0-9._-]+)="(?<value>[^"]*)"|(?<key>[A-Za-z0-9._-]+)=(?<value>\S+)""")]
    private static partial Regex LabelPair();
}
