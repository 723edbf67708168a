using System.Diagnostics;
using k8s;

namespace CallCenter.Kubernetes.Tests;

/// <summary>Finds the repository, loads the manifests under <c>k8s/</c> into KubernetesClient's models and renders overlays.</summary>
internal static class Manifests
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string K8sDirectory => Path.Combine(RepoRoot, "k8s");

    public static string BaseDirectory => Path.Combine(K8sDirectory, "base");

    public static IReadOnlyList<string> Sites { get; } =
        Directory.GetDirectories(Path.Combine(FindRepoRoot(), "k8s", "overlays")).Select(Path.GetFileName).OfType<string>().Order().ToList();

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CallCenter.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} has CallCenter.Orleans.sln.");
    }

    /// <summary>Every manifest file under the folder (kustomization.yaml is kustomize's own, not a Kubernetes object).</summary>
    public static IReadOnlyList<string> ManifestFiles(string directory) =>
        Directory.GetFiles(directory, "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(directory, "*.yml", SearchOption.AllDirectories))
            .Where(file => !Path.GetFileName(file).StartsWith("kustomization.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<object> Parse(string yaml, string source)
    {
        try
        {
            return KubernetesYaml.LoadAllFromString(yaml);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"{source} does not parse into KubernetesClient's models: {exception.Message}", exception);
        }
    }

    public static IReadOnlyList<object> LoadFiles(IEnumerable<string> files) =>
        files.SelectMany(file => Parse(File.ReadAllText(file), Path.GetRelativePath(RepoRoot, file))).ToList();

    /// <summary>The base's objects: the rules hold for what every overlay starts from.</summary>
    public static IReadOnlyList<object> Base() => LoadFiles(ManifestFiles(BaseDirectory));

    public static string? FindKubectl()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "kubectl", "kubectl.exe" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs <c>kubectl kustomize</c> on the folder and returns its YAML.</summary>
    public static string Kustomize(string kubectl, string directory)
    {
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {kubectl}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {directory} did not finish in a minute");
        }

        Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} exited with {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}
