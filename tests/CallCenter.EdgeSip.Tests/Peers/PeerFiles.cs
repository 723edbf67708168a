namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>Where the repository's peer files are: found by walking up from the test binaries to the solution.</summary>
public static class PeerFiles
{
    private const string SolutionFile = "CallCenter.Orleans.sln";

    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder holding <c>CallCenter.Orleans.sln</c>.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary><c>tests/sipp</c>: the scenarios, and the working folder SIPp runs in (their media paths are relative).</summary>
    public static string SippDirectory => Path.Combine(RepositoryRoot, "tests", "sipp");

    /// <summary>The full path of a scenario given relative to <c>tests/sipp</c> (e.g. <c>validation/edge-answers.xml</c>).</summary>
    public static string Scenario(string relativePath)
    {
        var path = Path.GetFullPath(Path.Combine(SippDirectory, relativePath));
        return File.Exists(path) ? path : throw new FileNotFoundException($"no SIPp scenario {relativePath} in {SippDirectory}", path);
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
                {
                    return directory.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"no {SolutionFile} above {AppContext.BaseDirectory}");
    }
}
