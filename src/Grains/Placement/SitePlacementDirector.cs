using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace CallCenter.Grains.Placement;

/// <summary>
/// Places call and agent grains on a random silo of their own site: a call's site is in its id
/// (<see cref="CallIds"/>), an agent's comes from the configuration (<see cref="AgentSiteDirectory"/>). A silo's site is
/// its metadata label. When the grain's site is unknown or none of its silos is up (a lost site), the grain goes to this
/// silo if it can host it, else anywhere: serving the call matters more than where it runs.
/// </summary>
public sealed class SitePlacementDirector(ISiloMetadataCache siloMetadata, AgentSiteDirectory agentSites) : IPlacementDirector
{
    public static readonly GrainType CallGrainType = GrainType.Create("call");
    public static readonly GrainType AgentGrainType = GrainType.Create("agent");

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var site = await SiteOfAsync(target.GrainIdentity);
        var ofSite = site is null ? [] : silos.Where(silo => SiteOfSilo(silo) == site).ToArray();
        if (ofSite.Length > 0)
        {
            return ofSite[Random.Shared.Next(ofSite.Length)];
        }

        return silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[Random.Shared.Next(silos.Length)];
    }

    public string? SiteOfSilo(SiloAddress silo) => siloMetadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiteLabel.MetadataKey);

    private Task<string?> SiteOfAsync(GrainId grain)
    {
        var key = grain.Key.ToString();
        if (grain.Type.Equals(CallGrainType))
        {
            return Task.FromResult(CallIds.SiteOf(key));
        }

        return grain.Type.Equals(AgentGrainType) ? agentSites.SiteOfAsync(key) : Task.FromResult<string?>(null);
    }
}
