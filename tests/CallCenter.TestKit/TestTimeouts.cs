namespace CallCenter.TestKit;

public static class TestTimeouts
{
    /// <summary>A bound on waiting for a signal that should come soon: a broken test fails instead of hanging.</summary>
    public static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);
}
