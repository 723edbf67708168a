namespace CallCenter;

/// <summary>
/// Call ids carry the site where the call arrived (<c>london~3f2a…</c>), so a call grain is placed on a silo of
/// that site on its first activation and again after its silo is lost, whoever activates it.
/// </summary>
public static class CallIds
{
    public const char SiteSeparator = '~';

    public static string New(string siteId) => $"{siteId}{SiteSeparator}{Guid.NewGuid():N}";

    /// <summary>The site a call id names, or null for an id chosen without one (an API caller's own id).</summary>
    public static string? SiteOf(string callId)
    {
        var separator = callId.IndexOf(SiteSeparator);
        return separator > 0 ? callId[..separator] : null;
    }
}
