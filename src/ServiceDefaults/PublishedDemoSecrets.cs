namespace CallCenter.ServiceDefaults;

/// <summary>
/// Every secret the repository publishes for the demo (README, docs, src/Silo/demo-credentials.json) and the placeholders of
/// k8s/base/secret.yaml. Outside the demo none of them may protect anything: start-up refuses them.
/// </summary>
public static class PublishedDemoSecrets
{
    /// <summary>The demo's users: each has the desktop secret <c>&lt;user&gt;-desk</c>; the agents the phone password <c>&lt;user&gt;-phone</c>.</summary>
    public static readonly IReadOnlyList<string> DemoUsers =
        ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "oscar", "sam", "admin"];

    public static readonly IReadOnlyList<string> Placeholders =
        ["REPLACE-WITH-BASE64-OF-32-RANDOM-BYTES", "REPLACE-WITH-A-RANDOM-STRING", "REPLACE-WITH-THE-OUTPUT-OF-hash-secret"];

    public static readonly IReadOnlyList<string> All =
        [.. DemoUsers.SelectMany(user => new[] { $"{user}-desk", $"{user}-phone" }), .. Placeholders];

    private static readonly HashSet<string> Lookup = new(All, StringComparer.Ordinal);

    public static bool IsPublished(string? secret) => secret is not null && Lookup.Contains(secret.Trim());
}
