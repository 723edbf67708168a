namespace CallCenter.Sip.Tests;

/// <summary>One row of TestData/sip-torture/MANIFEST.tsv.</summary>
public sealed record TortureCase(string Name, string RfcSection, string Expected, string Summary)
{
    public byte[] ReadBytes() => File.ReadAllBytes(Path.Combine(TortureCorpus.Directory, Name + ".dat"));

    public override string ToString() => Name;
}

/// <summary>Finds the RFC 4475 corpus in the test output (copied from TestData) and reads its manifest.</summary>
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
        // TestData/sip-torture is copied beside the test assembly (see the project file), so any clone finds it.
        var directory = Path.Combine(AppContext.BaseDirectory, "TestData", "sip-torture");
        return File.Exists(Path.Combine(directory, "MANIFEST.tsv"))
            ? directory
            : throw new InvalidOperationException($"TestData/sip-torture/MANIFEST.tsv not found in {AppContext.BaseDirectory}");
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
