using Orleans.Placement;

namespace CallCenter.Grains.Placement;

/// <summary>Places a grain on a silo of the grain's own site (see <see cref="SitePlacementDirector"/>).</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("callcenter.site-placement")]
public sealed class SitePlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SitePlacementAttribute() : PlacementAttribute(new SitePlacement());

/// <summary>The silo metadata key that carries a silo's site (from <c>CallCenter:SiteId</c>).</summary>
public static class SiteLabel
{
    public const string MetadataKey = "callcenter.site";
    public const string ConfigurationKey = "CallCenter:SiteId";
}
