using Orleans.Runtime.MembershipService.SiloMetadata;

namespace CallCenter.Grains.Placement;

/// <summary>Which active silos belong to which site, as this silo sees the cluster (membership and silo metadata).</summary>
public sealed class SiteLocator(ISiloMetadataCache siloMetadata, ISiloStatusOracle membership, ILocalSiloDetails localSilo)
{
    public string? SiteOf(SiloAddress silo) => siloMetadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiteLabel.MetadataKey);

    public bool IsLocal(string siteId) => SiteOf(localSilo.SiloAddress) == siteId;

    /// <summary>Whether some active silo carries <paramref name="siteId"/>'s label.</summary>
    public bool HasActiveSiloOf(string siteId) =>
        membership.GetApproximateSiloStatuses(onlyActive: true).Keys.Any(silo => SiteOf(silo) == siteId);
}
