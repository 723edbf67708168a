namespace CallCenter.TestKit;

/// <summary>
/// Site labels for the silos of an in-process test cluster: the n-th silo configured takes the n-th label, once. Orleans'
/// test host configures silos concurrently, hence the lock.
/// </summary>
public sealed class SiloSiteLabels(IReadOnlyList<string?> sites)
{
    private readonly Dictionary<string, string?> _bySiloName = [];

    public int Count => sites.Count;

    /// <summary>The label of <paramref name="siloName"/>, given on its first call.</summary>
    public string? For(string siloName)
    {
        lock (_bySiloName)
        {
            if (!_bySiloName.TryGetValue(siloName, out var site))
            {
                site = sites[_bySiloName.Count];
                _bySiloName[siloName] = site;
            }

            return site;
        }
    }
}
