using Orleans.Runtime.Placement;

namespace CallCenter.Grains.Placement;

/// <summary>
/// Places call and agent grains on a random silo of their own site: a call's site is in its id
/// (<see cref="CallIds"/>), an agent's comes from the configuration (<see cref="AgentSiteDirectory"/>). A silo's site is
/// its metadata label. When the grain's site is unknown or none of its silos is up (a lost site, or a silo that has not
/// joined yet), the grain goes to this silo if it can host it, else anywhere: serving the call matters more than where
/// it runs. An agent placed away from home moves back later (<c>AgentGrain</c> migrates when its site has a silo again).
/// </summary>
public sealed class SitePlacementDirector(SiteLocator sites, AgentSiteDirectory agentSites) : IPlacementDirector
{
    public static readonly GrainType CallGrainType = GrainType.Create("call");
    public static readonly GrainType AgentGrainType = GrainType.Create("agent");

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var site = await SiteOfAsync(target.GrainIdentity);
        var ofSite = site is null ? [] : silos.Where(silo => sites.SiteOf(silo) == site).ToArray();
        if (ofSite.Length > 0)
        {
            return ofSite[Random.Shared.Next(ofSite.Length)];
        }

        return silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[Random.Shared.Next(silos.Length)];
    }

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
