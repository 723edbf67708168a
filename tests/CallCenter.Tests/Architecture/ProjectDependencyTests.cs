using System.Xml.Linq;

namespace CallCenter.Tests.Architecture;

/// <summary>
/// The dependency rules between the projects under <c>src/</c>, read from their project files: each project references
/// only what the map below allows. A new project must be placed in the map; a new reference must be allowed here first,
/// where a reviewer sees it (and docs/architecture.md says why).
/// </summary>
public sealed class ProjectDependencyTests
{
    /// <summary>Each project (its folder under <c>src/</c>) and the projects of ours it may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Sip"] = [],
        ["WebRtc"] = [],
        ["ServiceDefaults"] = [],
        ["Gateway.Contracts"] = [],
        ["Grains.Interfaces"] = [],
        ["Domain"] = ["Grains.Interfaces"],
        ["Grains"] = ["Grains.Interfaces", "Domain"],
        ["Persistence"] = ["Grains", "ServiceDefaults"],
        ["EdgeSip"] = ["Sip", "WebRtc", "Grains.Interfaces", "ServiceDefaults"],
        ["Web"] = ["Grains.Interfaces", "Domain", "Gateway.Contracts", "ServiceDefaults"],
        ["Simulation"] = ["Grains.Interfaces", "Domain"],
        ["RemoteAgent"] = ["Gateway.Contracts"],
        ["Silo"] = ["ServiceDefaults", "Persistence", "Web", "Simulation", "EdgeSip"],
    };

    private static readonly Lazy<Dictionary<string, List<string>>> Actual = new(ReadReferences);

    [Fact]
    public void EveryProjectReference_IsAllowedByTheMap()
    {
        var offending = Actual.Value
            .SelectMany(project => project.Value
                .Where(reference => !(Allowed.TryGetValue(project.Key, out var allowed) && allowed.Contains(reference)))
                .Select(reference => $"src/{project.Key} references src/{reference}"))
            .ToList();

        Assert.True(offending.Count == 0, "references the dependency map does not allow (add them to the map in this test only if the rule is meant to change):\n" + string.Join("\n", offending));
    }

    [Fact]
    public void EverySourceProject_IsPlacedInTheMap_AndTheMapNamesOnlyRealProjects()
    {
        var unplaced = Actual.Value.Keys.Except(Allowed.Keys).Order(StringComparer.Ordinal).ToList();
        var gone = Allowed.Keys.Concat(Allowed.Values.SelectMany(v => v)).Distinct().Except(Actual.Value.Keys).Order(StringComparer.Ordinal).ToList();

        Assert.True(unplaced.Count == 0, "src projects missing from the dependency map in this test (say what each may reference): " + string.Join(", ", unplaced));
        Assert.True(gone.Count == 0, "the dependency map names projects that are not under src/: " + string.Join(", ", gone));
    }

    [Theory]
    [InlineData("Sip")]
    [InlineData("ServiceDefaults")]
    public void Foundation_ReferencesNothingOfOurs(string project)
    {
        AssertReferencesOnly(project, []);
    }

    [Fact]
    public void Domain_ReferencesOnlyTheModel()
    {
        AssertReferencesOnly("Domain", ["Grains.Interfaces"]);
    }

    [Fact]
    public void Silo_IsReferencedByNoProject()
    {
        AssertNoReference(Actual.Value.Keys, "Silo");
    }

    [Fact]
    public void Web_DoesNotReferenceTheSipEdge()
    {
        AssertNoReference(["Web"], "EdgeSip");
    }

    [Theory]
    [InlineData("Grains")]
    [InlineData("Web")]
    [InlineData("Domain")]
    public void EdgeSip_ReachesTheClusterOnlyThroughGrainInterfaces(string forbidden)
    {
        AssertNoReference(["EdgeSip"], forbidden);
    }

    private static void AssertReferencesOnly(string project, string[] allowed)
    {
        Assert.True(Actual.Value.ContainsKey(project), $"src/{project} has no project file");
        var offending = Actual.Value[project].Except(allowed).Select(reference => $"src/{project} references src/{reference}").ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    private static void AssertNoReference(IEnumerable<string> projects, string forbidden)
    {
        var offending = projects
            .Where(project => Actual.Value[project].Contains(forbidden))
            .Select(project => $"src/{project} references src/{forbidden}")
            .ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    /// <summary>Each project under <c>src/</c> (by folder) and the projects under <c>src/</c> its project file references.</summary>
    private static Dictionary<string, List<string>> ReadReferences()
    {
        var source = Path.Combine(RepositoryRoot(), "src");
        var projects = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var projectFile in Directory.GetDirectories(source).SelectMany(folder => Directory.GetFiles(folder, "*.csproj")))
        {
            var folder = Path.GetDirectoryName(projectFile)!;
            projects[Path.GetFileName(folder)] = XDocument.Load(projectFile).Descendants()
                .Where(element => element.Name.LocalName == "ProjectReference")
                .Select(element => element.Attribute("Include")?.Value ?? throw new InvalidDataException($"{projectFile}: a ProjectReference without Include"))
                .Select(include => Path.GetFullPath(Path.Combine(folder, include.Replace('\\', '/'))))
                .Select(referenced => Path.GetRelativePath(source, Path.GetDirectoryName(referenced)!))
                .Select(relative => relative.StartsWith("..", StringComparison.Ordinal) || relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    ? throw new InvalidDataException($"{projectFile} references {relative}, which is not a project folder under src/")
                    : relative)
                .ToList();
        }

        return projects;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CallCenter.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no CallCenter.Orleans.sln above {AppContext.BaseDirectory}");
    }
}
