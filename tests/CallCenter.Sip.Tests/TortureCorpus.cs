namespace CallCenter.Sip.Tests;

/// <summary>One row of shared/sip-torture/MANIFEST.tsv.</summary>
public sealed record TortureCase(string Name, string RfcSection, string Expected, string Summary)
{
    public byte[] ReadBytes() => File.ReadAllBytes(Path.Combine(TortureCorpus.Directory, Name + ".dat"));

    public override string ToString() => Name;
}

/// <summary>Finds the RFC 4475 corpus beside the repository and reads its manifest.</summary>
public static class TortureCorpus
{
    private static readonly Lazy<string> LazyDirectory = new(Locate);
    private static readonly Lazy<IReadOnlyList<TortureCase>> LazyCases = new(ReadManifest);

    public static string Directory => LazyDirectory.Value;

    public static IReadOnlyList<TortureCase> Cases => LazyCases.Value;

    public static IEnumerable<object[]> ManifestRows() => Cases.Select(item => new object[] { item.Name });

    public static TortureCase Get(string name) => Cases.Single(item => item.Name == name);

    private static string Locate()
    {
        // The repo lives at <root>/main and the corpus at <root>/shared/sip-torture, so check
        // both <ancestor>/shared and <ancestor>/../shared while walking up from the test binaries.
        for (DirectoryInfo? ancestor = new(AppContext.BaseDirectory); ancestor is not null; ancestor = ancestor.Parent)
        {
            foreach (string candidate in new[]
            {
                Path.Combine(ancestor.FullName, "shared", "sip-torture"),
                Path.Combine(ancestor.FullName, "..", "shared", "sip-torture"),
            })
            {
                if (File.Exists(Path.Combine(candidate, "MANIFEST.tsv")))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new InvalidOperationException(
            $"shared/sip-torture/MANIFEST.tsv not found above {AppContext.BaseDirectory}");
    }

    private static IReadOnlyList<TortureCase> ReadManifest()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Directory, "MANIFEST.tsv"));
        return lines
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(fields => new TortureCase(fields[0], fields[1], fields[2], fields[3]))
            .ToList();
    }
}
